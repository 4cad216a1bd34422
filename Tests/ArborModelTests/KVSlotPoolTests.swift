import ArborModel
import XCTest

/// The slot pool: free in any order, reuse, and moving kept tokens by re-rotating keys.
final class KVSlotPoolTests: XCTestCase {
    func testSlotsAreFreedAndReusedInAnyOrder() throws {
        let pool = KVSlotPool(config: TinyModel(architecture: .llama).config, capacity: 4)
        let slots = try (0..<4).map { try pool.allocate(position: Int32($0), owner: 7) }
        XCTAssertEqual(Set(slots).count, 4)
        XCTAssertThrowsError(try pool.allocate(position: 4)) { XCTAssertEqual($0 as? ModelError, .cacheFull(capacity: 4)) }
        XCTAssertEqual(pool.free([slots[2], slots[0]]), 2)
        XCTAssertEqual(pool.free([slots[2]]), 0, "freeing a free slot changes nothing")
        XCTAssertEqual(pool.positions[Int(slots[2])], -1)
        XCTAssertEqual(pool.owners[Int(slots[1])], 7)
        let reused = try pool.allocate(position: 9)
        XCTAssertTrue([slots[0], slots[2]].contains(reused))
        XCTAssertEqual(pool.positions[Int(reused)], 9)
        XCTAssertTrue(pool.reposition([slots[1], slots[3]], delta: -1))
        XCTAssertEqual(pool.positions[Int(slots[1])], 0)
        XCTAssertFalse(pool.reposition([slots[1]], delta: 0))
    }

    /// Freeing a middle span and moving the tail down must give the same next logits as a
    /// fresh prefill of the kept tokens at contiguous positions. With one layer the cached
    /// keys and values depend only on each token and its position, so the two caches differ
    /// only by the f16 rounding of the re-rotation (amplified a little by the 8-bit
    /// activation quantisation, hence 3 % of the largest logit); with more layers the tail's deeper
    /// states would also remember the dropped span, which is the approximation pruning makes.
    func testPrunedTailKeysMatchReprefill() throws {
        for arch in ModelConfig.Architecture.allCases {
            let tiny = TinyModel(architecture: arch, layers: 1)
            let head: [Int32] = [3, 14, 15, 92], middle: [Int32] = [65, 35, 89, 79, 32], tail: [Int32] = [38, 46, 26]
            let all = head + middle + tail
            let pruned = try tiny.makeTransformer()
            let slots = try pruned.prefill(tokens: all, positions: (0..<Int32(all.count)).map { $0 })
            pruned.free(slots: Array(slots[head.count..<(head.count + middle.count)]))
            pruned.reposition(slots: Array(slots[(head.count + middle.count)...]), delta: -Int32(middle.count))
            _ = try pruned.decode(token: 50, position: Int32(head.count + tail.count))

            let fresh = try tiny.makeTransformer()
            let kept = head + tail
            _ = try fresh.prefill(tokens: kept, positions: (0..<Int32(kept.count)).map { $0 })
            _ = try fresh.decode(token: 50, position: Int32(kept.count))

            let scale = fresh.logits.map(abs).max()!
            for i in 0..<fresh.logits.count {
                XCTAssertEqual(pruned.logits[i], fresh.logits[i], accuracy: 0.03 * scale, "\(arch) logit \(i)")
            }
            XCTAssertEqual(pruned.sequenceSlots.count, kept.count + 1)
            // Without the re-rotation the logits are measurably different: the test can fail.
            let stale = try tiny.makeTransformer()
            let staleSlots = try stale.prefill(tokens: all, positions: (0..<Int32(all.count)).map { $0 })
            stale.free(slots: Array(staleSlots[head.count..<(head.count + middle.count)]))
            _ = try stale.decode(token: 50, position: Int32(head.count + tail.count))
            let staleError = (0..<fresh.logits.count).map { abs(stale.logits[$0] - fresh.logits[$0]) }.max()!
            let prunedError = (0..<fresh.logits.count).map { abs(pruned.logits[$0] - fresh.logits[$0]) }.max()!
            XCTAssertGreaterThan(staleError, 10 * prunedError, "\(arch)")
        }
    }
}
