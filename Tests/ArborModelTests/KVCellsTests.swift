import ArborModel
import XCTest

/// The one ledger of KV cells: used and free cells, the sequence, positions, and key
/// rotations queued by shifts and applied later exactly as if applied at once.
final class KVCellsTests: XCTestCase {
    func testCellsAreTakenLowestFirstAndTheSequenceFollowsThem() throws {
        var cells = KVCells(capacity: 3)
        let taken = try (0..<3).map { try cells.allocate(position: Int32(10 + $0), owner: 5) }
        XCTAssertEqual(taken, [0, 1, 2])
        XCTAssertEqual(cells.sequence, [0, 1, 2])
        XCTAssertEqual(cells.positions, [10, 11, 12])
        XCTAssertEqual(cells.owners, [5, 5, 5])
        XCTAssertEqual(cells.freeCount, 0)
        XCTAssertThrowsError(try cells.allocate(position: 3)) { XCTAssertEqual($0 as? ModelError, .cacheFull(capacity: 3)) }
    }

    func testFreeingDropsCellsFromTheSequenceOnceAndReusesThem() throws {
        var cells = KVCells(capacity: 4)
        let taken = try (0..<4).map { try cells.allocate(position: Int32($0)) }
        XCTAssertEqual(cells.free([taken[1], taken[2], 9, -1]), 2, "cells out of range are ignored")
        XCTAssertEqual(cells.free([taken[1]]), 0, "freeing a free cell changes nothing")
        XCTAssertEqual(cells.sequence, [taken[0], taken[3]])
        XCTAssertFalse(cells.isUsed(taken[1]))
        XCTAssertEqual(cells.positions[Int(taken[2])], -1)
        XCTAssertEqual(cells.owners[Int(taken[2])], -1)
        let reused = try cells.allocate(position: 2)
        XCTAssertTrue([taken[1], taken[2]].contains(reused))
        XCTAssertEqual(cells.sequence, [taken[0], taken[3], reused], "a reused cell joins the end of the sequence")
    }

    func testShiftsMovePositionsAtOnceAndQueueTheirRotationsInOrder() throws {
        var cells = KVCells(capacity: 6)
        let taken = try (0..<6).map { try cells.allocate(position: Int32($0)) }
        cells.free([taken[1]])
        XCTAssertTrue(cells.shift(Array(taken[2...]), by: -1))
        cells.free([taken[3]])
        XCTAssertTrue(cells.shift(Array(taken[4...]), by: -1))
        XCTAssertFalse(cells.shift([taken[4]], by: 0), "a zero shift changes nothing")
        XCTAssertFalse(cells.shift([], by: 2))
        XCTAssertEqual(cells.sequence.map { cells.positions[Int($0)] }, [0, 1, 2, 3], "kept tokens are contiguous again")
        // two rotations by -1, never one by -2: their f16 rounding differs; the cell freed in
        // between owes none
        XCTAssertEqual(cells.pendingShifts, [KVCells.Shift(delta: -1, cells: [taken[2], taken[4], taken[5]]),
                                             KVCells.Shift(delta: -1, cells: [taken[4], taken[5]])])
        cells.free([taken[2]])
        XCTAssertEqual(cells.pendingShifts.first?.cells, [taken[4], taken[5]], "a freed cell owes no rotation")
        cells.free([taken[4], taken[5]])
        XCTAssertEqual(cells.pendingShifts, [], "a shift left with no cells is dropped")
        cells.shift([taken[0]], by: 3)
        XCTAssertEqual(cells.takePendingShifts(), [KVCells.Shift(delta: 3, cells: [taken[0]])])
        XCTAssertEqual(cells.pendingShifts, [])
        XCTAssertEqual(cells.positions[Int(taken[0])], 3)
    }

    /// Two evictions whose rotations are queued and applied in one pass leave the cached rows
    /// and the next logits bit for bit as rotating after each eviction does; one rotation by
    /// the summed gap does not, so the comparison can fail.
    func testQueuedRotationsGiveTheSameBitsAsRotatingAtOnce() throws {
        let tiny = TinyModel(architecture: .qwen2)
        let tokens: [Int32] = [3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26]
        let positions = (0..<Int32(tokens.count)).map { $0 }
        // evict tokens 2..<4, then 6..<9: the tail after each moves down by its gap
        func prune(_ model: Transformer, applyingEachAtOnce: Bool) throws -> [UInt8] {
            let slots = try model.prefill(tokens: tokens, positions: positions)
            model.free(slots: Array(slots[2..<4]))
            model.reposition(slots: Array(slots[4...]), delta: -2)
            if applyingEachAtOnce { _ = model.copyRows(of: [slots[0]]) }
            model.free(slots: Array(slots[6..<9]))
            model.reposition(slots: Array(slots[9...]), delta: -3)
            return model.copyRows(of: model.sequenceSlots)
        }
        let atOnce = try tiny.makeTransformer(), queued = try tiny.makeTransformer()
        XCTAssertEqual(try prune(atOnce, applyingEachAtOnce: true), try prune(queued, applyingEachAtOnce: false))
        _ = try atOnce.decode(token: 50, position: 7)
        _ = try queued.decode(token: 50, position: 7)
        XCTAssertEqual(Array(atOnce.logits).map(\.bitPattern), Array(queued.logits).map(\.bitPattern))

        let merged = try tiny.makeTransformer()
        let slots = try merged.prefill(tokens: tokens, positions: positions)
        merged.free(slots: Array(slots[2..<4]) + Array(slots[6..<9]))
        merged.reposition(slots: Array(slots[4..<6]), delta: -2)
        merged.reposition(slots: Array(slots[9...]), delta: -5)
        let queuedRows = queued.copyRows(of: Array(queued.sequenceSlots.dropLast()))
        XCTAssertNotEqual(merged.copyRows(of: merged.sequenceSlots), queuedRows,
                          "one rotation by -5 rounds differently from -2 then -3")
    }
}
