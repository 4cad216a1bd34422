import ArborStore
import ArborStoreTestSupport
import XCTest

/// A resume copies recorded KV rows back only when every token its replay keeps cached has
/// one: a row that left with its token is told apart from one that is missing.
final class KVRowCoverageTests: XCTestCase {
    func testRowsCoverTheCacheWhenEveryMissingRowLeftWithItsToken() throws {
        try forEachStore(self) { store in
            let run = sampleRun()
            try store.createRun(run)
            try store.appendTokens(sampleTokens(runID: run.id, seqs: 0..<12), to: run.id)
            let rowBytes = 8
            let rows = [UInt8](repeating: 7, count: 12 * rowBytes)
            try store.checkpoint { tx in try rows.withUnsafeBytes { try tx.appendKVRows(runID: run.id, firstSeq: 0, rowBytes: rowBytes, data: $0) } }
            XCTAssertEqual(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<11), rowBytes)

            // a pruned span and a round's released tokens left the cache with their rows
            try store.checkpoint { tx in
                _ = try tx.markPruned(run.id, seqs: 2..<4)
                try tx.releaseKVRows(runID: run.id, seqs: 2..<4)
                try tx.releaseKVRows(runID: run.id, seqs: 6..<8)
            }
            XCTAssertEqual(try store.kvRows(runID: run.id, seqs: 0..<12).count, 8)
            XCTAssertEqual(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<11), rowBytes)

            // a record written before releases were kept: a pruned token's row is not missing
            try store.checkpoint { tx in _ = try tx.markPruned(run.id, seqs: 8..<9); try tx.deleteKVRows(runID: run.id, seqs: 8..<9) }
            XCTAssertEqual(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<11), rowBytes)

            // the last token's row is not needed (the resume computes it), one before it is
            try store.checkpoint { tx in try tx.deleteKVRows(runID: run.id, seqs: 11..<12) }
            XCTAssertEqual(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<11), rowBytes)
            try store.checkpoint { tx in try tx.deleteKVRows(runID: run.id, seqs: 10..<11) }
            XCTAssertNil(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<11), "a cached token lost its row")
            XCTAssertEqual(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<10), rowBytes)

            // a row of another size: none is trusted
            try store.checkpoint { tx in try [UInt8](repeating: 1, count: 4).withUnsafeBytes {
                try tx.appendKVRows(runID: run.id, firstSeq: 5, rowBytes: 4, data: $0) } }
            XCTAssertNil(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<10), "rows of two sizes")
            XCTAssertNil(try store.kvRowByteCount(runID: run.id, coveringCachedTokensIn: 0..<0))
        }
    }
}
