// The layout of a grammar cache file (format version 2). Numbers are LEB128 variable-length
// integers ("varint"; signed ones zigzag-mapped) unless said otherwise:
//
//   "ARBORGMC", the format version (32-bit little-endian)
//   the mask word count
//   the masks: their count, then per mask the distance back to its reference mask (0: none)
//     and its runs (see MaskRuns)
//   the lists (accepted ids and uncertain positions alike): their count, then per list its
//     length and each value as a signed difference from the one before (the first from 0)
//   the entries: their count, then per entry its node as a signed difference from the
//     previous entry's node, the number of return nodes, each return node as a signed
//     difference from the previous entry's return node at the same place (or from 0), and
//     the entry's accepted mask, accepted ids and uncertain positions, each as 0 (empty)
//     or 1 + its index in its table
//   a check hash of everything before it, as 32 hex digits
//
// Each distinct mask and list is stored once, however many entries hold it: a grammar's
// positions share few distinct token sets (inside a string, nearly every token), so a file
// is a fraction of the entries' bitmasks, and the masks read back share their storage.

extension GrammarDiskCache {
    /// One mask-cache position and its token sets, as a file holds them.
    typealias StoredEntry = (key: TokenMaskCache.Key, entry: TokenMaskCache.Entry)

    /// What a file's entries must fit to be used by a compiled grammar: a file damaged in a
    /// way its check hash missed (or written by hand) cannot index past a mask or a table.
    struct Bounds: Sendable {
        var nodeCount: Int
        /// Accepted ids are below it.
        var tokenCount: Int
        /// Uncertain positions (indices into the sorted vocabulary) are below it.
        var positionCount: Int
        var maskWordCount: Int

        init(nodeCount: Int, tokenCount: Int, positionCount: Int) {
            self.nodeCount = nodeCount
            self.tokenCount = tokenCount
            self.positionCount = positionCount
            maskWordCount = (tokenCount + 31) / 32
        }

        init(automaton: GrammarAutomaton, vocabulary: TokenVocabulary) {
            self.init(nodeCount: automaton.nodes.count, tokenCount: vocabulary.tokens.count, positionCount: vocabulary.sortedIDs.count)
        }
    }

    static let checkHashLength = 32

    /// The file holding `entries` (in their order).
    static func encode(_ entries: [StoredEntry]) -> [UInt8] {
        var masks = DistinctValues<[UInt32]>()
        var lists = DistinctValues<[Int]>()
        let references = entries.map { stored in
            (mask: masks.reference(stored.entry.acceptedMask), ids: lists.reference(stored.entry.acceptedIDs.map(Int.init)),
             uncertain: lists.reference(stored.entry.uncertain))
        }
        return encode(entries, references: references, masks: masks.values, lists: lists.values)
    }

    /// The file, once each entry's sets are indices (`references`) into the two tables.
    private static func encode(_ entries: [StoredEntry], references: [(mask: Int, ids: Int, uncertain: Int)],
                               masks: [[UInt32]], lists: [[Int]]) -> [UInt8] {
        let wordCount = masks.first?.count ?? 0
        precondition(masks.allSatisfy { $0.count == wordCount }, "the masks of one vocabulary have one length")

        var writer = CacheFileWriter()
        writer.reserveCapacity(64 + masks.count * wordCount + entries.count * 12 + lists.reduce(0) { $0 + $1.count * 2 })
        writer.append(magic)
        writer.word(formatVersion)
        writer.varint(wordCount)
        writer.varint(masks.count)
        for (index, mask) in masks.enumerated() {
            var best = (distance: 0, size: MaskRuns.encodedSize(mask, reference: nil))
            for distance in stride(from: 1, through: min(MaskRuns.referenceWindow, index), by: 1) {
                let size = MaskRuns.encodedSize(mask, reference: masks[index - distance])
                if size < best.size { best = (distance, size) }
            }
            writer.varint(best.distance)
            MaskRuns.encode(mask, reference: best.distance == 0 ? nil : masks[index - best.distance], into: &writer)
        }
        writer.varint(lists.count)
        for list in lists {
            writer.varint(list.count)
            var previous = 0
            for value in list {
                writer.signed(Int64(value - previous))
                previous = value
            }
        }
        writer.varint(entries.count)
        var previousNode: Int32 = 0
        var previousReturns: [Int32] = []
        for (stored, references) in zip(entries, references) {
            writer.signed(Int64(stored.key.node) - Int64(previousNode))
            writer.varint(stored.key.returns.count)
            for (place, node) in stored.key.returns.enumerated() {
                writer.signed(Int64(node) - Int64(place < previousReturns.count ? previousReturns[place] : 0))
            }
            writer.varint(references.mask)
            writer.varint(references.ids)
            writer.varint(references.uncertain)
            previousNode = stored.key.node
            previousReturns = stored.key.returns
        }
        var hasher = StableHasher()
        hasher.combine(bytes: writer.bytes)
        writer.append(Array(hasher.hexDigest.utf8))
        return writer.bytes
    }

    /// The entries of a file's bytes, or nil when the bytes are not a whole, intact file of
    /// this format whose entries fit `bounds`.
    static func decode(_ bytes: UnsafeRawBufferPointer, fitting bounds: Bounds) -> [StoredEntry]? {
        guard bytes.count >= magic.count + 4 + checkHashLength, bytes.starts(with: magic) else { return nil }
        let body = UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - checkHashLength)])
        var hasher = StableHasher()
        hasher.combine(raw: body)
        guard hasher.hexDigest.utf8.elementsEqual(bytes[(bytes.count - checkHashLength)...]) else { return nil }
        var reader = CacheFileReader(body, offset: magic.count)
        guard reader.word() == formatVersion,
              let wordCount = reader.count(atMost: bounds.maskWordCount),
              let masks = decodeMasks(&reader, wordCount: wordCount, bounds: bounds),
              let lists = decodeLists(&reader)
        else { return nil }

        // A list's ids form, converted once however many entries hold it.
        var idForms = [[Int32]?](repeating: nil, count: lists.count)
        let nodes = 0..<bounds.nodeCount
        guard let count = reader.count(atMost: reader.remaining / 6) else { return nil }
        var entries: [StoredEntry] = []
        entries.reserveCapacity(count)
        var previousNode = 0
        var previousReturns: [Int32] = []
        for _ in 0..<count {
            guard let nodeStep = reader.signed(magnitudeAtMost: Int64(bounds.nodeCount)),
                  case let node = previousNode + Int(nodeStep), nodes.contains(node),
                  let returnCount = reader.count(atMost: TokenMaskCache.maximumContextDepth), returnCount >= 1
            else { return nil }
            var returns = [Int32](repeating: 0, count: returnCount)
            for place in 0..<returnCount {
                let base = place < previousReturns.count ? Int(previousReturns[place]) : 0
                guard let step = reader.signed(magnitudeAtMost: Int64(bounds.nodeCount) + 1),
                      case let returnNode = base + Int(step), returnNode == Int(FrameTable.root) || nodes.contains(returnNode)
                else { return nil }
                returns[place] = Int32(returnNode)
            }
            guard let mask = reader.count(atMost: masks.count),
                  let ids = reader.count(atMost: lists.count),
                  let uncertain = reader.count(atMost: lists.count),
                  ids == 0 || lists[ids - 1].fits(below: bounds.tokenCount),
                  uncertain == 0 || (lists[uncertain - 1].fits(below: bounds.positionCount) && lists[uncertain - 1].ascending)
            else { return nil }
            if ids > 0 && idForms[ids - 1] == nil { idForms[ids - 1] = lists[ids - 1].values.map { Int32($0) } }
            entries.append((TokenMaskCache.Key(node: Int32(node), returns: returns),
                            TokenMaskCache.Entry(acceptedMask: mask == 0 ? [] : masks[mask - 1],
                                                 acceptedIDs: ids == 0 ? [] : idForms[ids - 1]!,
                                                 uncertain: uncertain == 0 ? [] : lists[uncertain - 1].values)))
            previousNode = node
            previousReturns = returns
        }
        return reader.isAtEnd ? entries : nil
    }

    static func decode(_ bytes: [UInt8], fitting bounds: Bounds) -> [StoredEntry]? {
        bytes.withUnsafeBytes { decode($0, fitting: bounds) }
    }

    /// The mask table; every mask has the vocabulary's word count and no bit past its last token.
    private static func decodeMasks(_ reader: inout CacheFileReader, wordCount: Int, bounds: Bounds) -> [[UInt32]]? {
        guard let count = reader.count(atMost: reader.remaining / 2), count == 0 || wordCount == bounds.maskWordCount else { return nil }
        let lastWordBits = bounds.tokenCount & 31
        var masks: [[UInt32]] = []
        masks.reserveCapacity(count)
        for index in 0..<count {
            guard let distance = reader.count(atMost: index),
                  let mask = MaskRuns.decode(from: &reader, reference: distance == 0 ? nil : masks[index - distance], wordCount: wordCount),
                  lastWordBits == 0 || mask[wordCount - 1] >> lastWordBits == 0
            else { return nil }
            masks.append(mask)
        }
        return masks
    }

    /// Values in the order first met, each once, and where each is: a file's table.
    private struct DistinctValues<Value: Collection & Hashable> {
        private(set) var values: [Value] = []
        private var index: [Value: Int] = [:]

        /// 0 for an empty value, else 1 + the value's place (added when new).
        mutating func reference(_ value: Value) -> Int {
            guard !value.isEmpty else { return 0 }
            if let place = index[value] { return place + 1 }
            values.append(value)
            index[value] = values.count - 1
            return values.count
        }
    }

    /// A stored list and what the entries holding it need to know of it.
    private struct StoredList {
        var values: [Int]
        var lowest = Int.max
        var highest = Int.min
        var ascending = true

        func fits(below limit: Int) -> Bool { values.isEmpty || (lowest >= 0 && highest < limit) }
    }

    private static func decodeLists(_ reader: inout CacheFileReader) -> [StoredList]? {
        guard let count = reader.count(atMost: reader.remaining) else { return nil }
        var lists: [StoredList] = []
        lists.reserveCapacity(count)
        for _ in 0..<count {
            guard let length = reader.count(atMost: reader.remaining) else { return nil }
            var list = StoredList(values: [])
            list.values.reserveCapacity(length)
            var previous = 0
            for _ in 0..<length {
                // Values are ids and positions, 32-bit: no step between two is longer.
                guard let step = reader.signed(magnitudeAtMost: Int64(UInt32.max)) else { return nil }
                let value = previous + Int(step)
                if !list.values.isEmpty && value <= previous { list.ascending = false }
                list.lowest = min(list.lowest, value)
                list.highest = max(list.highest, value)
                list.values.append(value)
                previous = value
            }
            lists.append(list)
        }
        return lists
    }
}
