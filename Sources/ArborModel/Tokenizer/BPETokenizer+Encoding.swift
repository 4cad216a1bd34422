/// Encoding: special-token partition, pre-tokenizer split, byte-level BPE merges.
extension BPETokenizer {
    /// A part of the input: text still to be tokenized, or a special token already found.
    enum Fragment {
        case text(Range<Int>)
        case token(Int32)
    }

    /// Token ids for `text`.
    ///
    /// - Parameters:
    ///   - parseSpecial: match control tokens such as `<|im_start|>` in the text (user-defined
    ///     tokens are always matched, as in llama.cpp).
    ///   - addSpecial: add BOS / EOS when the model's metadata asks for them.
    public func encode(_ text: String, parseSpecial: Bool = true, addSpecial: Bool = false) -> [Int32] {
        let bytes = Array(text.utf8)
        var output = [Int32]()
        output.reserveCapacity(bytes.count / 3 + 4)
        if addSpecial && addBOS, let bosID { output.append(bosID) }
        for fragment in partition(bytes, parseSpecial: parseSpecial) {
            switch fragment {
            case .token(let id): output.append(id)
            case .text(let range): encodeText(bytes, range, into: &output)
            }
        }
        if addSpecial && addEOS, let eosID { output.append(eosID) }
        return output
    }

    /// Cuts special tokens out of the text, longest text first, leftmost occurrence first.
    func partition(_ bytes: [UInt8], parseSpecial: Bool) -> [Fragment] {
        var fragments: [Fragment] = bytes.isEmpty ? [] : [.text(0..<bytes.count)]
        bytes.withUnsafeBufferPointer { text in
            for special in specialTokens {
                if !parseSpecial && special.type != .userDefined { continue }
                let needle = special.text
                var next = [Fragment]()
                var changed = false
                for fragment in fragments {
                    guard case .text(let range) = fragment else { next.append(fragment); continue }
                    var start = range.lowerBound
                    while let match = find(needle, in: text, from: start, to: range.upperBound) {
                        if match > start { next.append(.text(start..<match)) }
                        next.append(.token(special.id))
                        start = match + needle.count
                        changed = true
                    }
                    if start < range.upperBound { next.append(.text(start..<range.upperBound)) }
                }
                if changed { fragments = next }
            }
        }
        return fragments
    }

    private func find(_ needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, from: Int, to end: Int) -> Int? {
        let count = needle.count
        guard count > 0, end - from >= count else { return nil }
        let first = needle[0]
        var i = from
        let last = end - count
        while i <= last {
            if text[i] == first {
                var j = 1
                while j < count && text[i + j] == needle[j] { j += 1 }
                if j == count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Splits raw text by the pre-tokenizer and appends the BPE ids of every piece.
    private func encodeText(_ bytes: [UInt8], _ range: Range<Int>, into output: inout [Int32]) {
        // Decode code points, remembering where each starts in the byte array.
        var scalars = [UInt32]()
        var starts = [Int]()
        scalars.reserveCapacity(range.count)
        starts.reserveCapacity(range.count + 1)
        var i = range.lowerBound
        while i < range.upperBound {
            let lead = bytes[i]
            let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            var value = UInt32(lead)
            if length > 1 {
                value &= UInt32(0x7F >> length)
                for k in 1..<length { value = value << 6 | UInt32(bytes[i + k] & 0x3F) }
            }
            scalars.append(value)
            starts.append(i)
            i += length
        }
        starts.append(range.upperBound)

        var ends = [Int]()
        preTokenizer.split(scalars, into: &ends)
        var pieceStart = 0
        for pieceEnd in ends {
            let piece = Array(bytes[starts[pieceStart]..<starts[pieceEnd]])
            pieceStart = pieceEnd
            if let cached = cachedPiece(piece) {
                output.append(contentsOf: cached)
                continue
            }
            let ids = mergePiece(piece)
            if piece.count <= 128 { storePiece(piece, ids) }
            output.append(contentsOf: ids)
        }
    }

    /// Byte-level BPE on one piece: start from one symbol per byte and repeatedly merge the
    /// adjacent pair with the lowest merge rank (leftmost on ties) until no pair has a rank.
    func mergePiece(_ piece: [UInt8]) -> [Int32] {
        let count = piece.count
        var symbols = piece.map { byteSymbols[Int($0)] }
        if count > 1 {
            var next = (0..<count).map { Int32($0 + 1 < count ? $0 + 1 : -1) }
            var prev = (0..<count).map { Int32($0 - 1) }
            var alive = [Bool](repeating: true, count: count)
            var queue = MergeQueue()
            func consider(_ left: Int32, _ right: Int32) {
                guard left >= 0, right >= 0 else { return }
                let key = UInt64(UInt32(symbols[Int(left)])) << 32 | UInt64(UInt32(symbols[Int(right)]))
                guard let entry = merges[key] else { return }
                queue.push(MergeCandidate(
                    rank: UInt32(entry >> 32), left: left, right: right,
                    leftSymbol: symbols[Int(left)], rightSymbol: symbols[Int(right)],
                    merged: Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF)))
            }
            for i in 1..<count { consider(Int32(i - 1), Int32(i)) }
            while let candidate = queue.pop() {
                let left = Int(candidate.left), right = Int(candidate.right)
                // Skip candidates made stale by an earlier merge.
                guard alive[left], alive[right], next[left] == candidate.right,
                      symbols[left] == candidate.leftSymbol, symbols[right] == candidate.rightSymbol else { continue }
                symbols[left] = candidate.merged
                alive[right] = false
                next[left] = next[right]
                if next[right] >= 0 { prev[Int(next[right])] = candidate.left }
                consider(prev[left], candidate.left)
                consider(candidate.left, next[left])
            }
            var merged = [Int32]()
            var i: Int32 = 0
            while i >= 0 {
                merged.append(symbols[Int(i)])
                i = next[Int(i)]
            }
            symbols = merged
        }
        // Symbols outside the vocabulary fall back to the tokens of their single-byte characters.
        if symbols.allSatisfy({ Int($0) < tokens.count }) { return symbols }
        var output = [Int32]()
        for symbol in symbols {
            if Int(symbol) < tokens.count {
                output.append(symbol)
            } else {
                for byte in extraSymbols[Int(symbol) - tokens.count].utf8 where byte < 0x80 {
                    if let id = tokenToID[ByteKey([byte])] { output.append(id) }
                }
            }
        }
        return output
    }
}

/// A possible merge of two adjacent symbols, ordered by rank and then by position.
struct MergeCandidate {
    var rank: UInt32
    var left: Int32
    var right: Int32
    var leftSymbol: Int32
    var rightSymbol: Int32
    var merged: Int32

    func precedes(_ other: MergeCandidate) -> Bool {
        rank != other.rank ? rank < other.rank : left < other.left
    }
}

/// A binary min-heap of merge candidates.
struct MergeQueue {
    private var heap: [MergeCandidate] = []

    mutating func push(_ candidate: MergeCandidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> MergeCandidate? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var best = parent
                if left < heap.count && heap[left].precedes(heap[best]) { best = left }
                if right < heap.count && heap[right].precedes(heap[best]) { best = right }
                if best == parent { break }
                heap.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}
