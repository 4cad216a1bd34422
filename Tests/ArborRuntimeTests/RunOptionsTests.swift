import ArborModel
@testable import ArborRuntime
import XCTest

final class RunOptionsTests: XCTestCase {
    override func tearDown() { LlamaCppNumerics.reset() }

    func testNumericsAreRecordedWithTheOptionsAndOlderRecordsReadWithout() throws {
        LlamaCppNumerics.current = .avx512
        var options = RunOptions(sampling: .greedy)
        options.numerics = .current
        let text = options.jsonText
        XCTAssertTrue(text.contains("\"numerics\":\"avx512\""), text)
        XCTAssertEqual(try RunOptions(jsonText: text), options)
        // a run recorded before the field existed decodes with no variant (the default applies)
        let older = try RunOptions(jsonText: #"{"sampling":\#(String(decoding: try JSONEncoder().encode(SamplerSettings.greedy), as: UTF8.self)),"prune":true,"toolResultTokenBudget":384}"#)
        XCTAssertNil(older.numerics)
    }

    func testArgumentSpellings() {
        XCTAssertEqual(LlamaCppNumerics(argument: "AVX2"), .avx2)
        XCTAssertEqual(LlamaCppNumerics(argument: "avx-512"), .avx512)
        XCTAssertEqual(LlamaCppNumerics(argument: "native"), LlamaCppNumerics.native)
        XCTAssertNil(LlamaCppNumerics(argument: "sse"))
    }
}
