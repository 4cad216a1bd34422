import ArborStore
import ArborStoreTestSupport
import Foundation
import XCTest

final class ReportFormatTests: XCTestCase {
    func testGroupedPutsACommaEveryThreeDigits() {
        XCTAssertEqual(ReportFormat.grouped(0), "0")
        XCTAssertEqual(ReportFormat.grouped(999), "999")
        XCTAssertEqual(ReportFormat.grouped(1_000), "1,000")
        XCTAssertEqual(ReportFormat.grouped(123_456), "123,456")
        XCTAssertEqual(ReportFormat.grouped(1_234_567), "1,234,567")
        XCTAssertEqual(ReportFormat.grouped(-45_000), "-45,000")
    }

    func testAgeReadsInTheLargestWholeUnit() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func age(_ seconds: TimeInterval) -> String { ReportFormat.age(of: now.addingTimeInterval(-seconds), now: now) }
        XCTAssertEqual(age(0), "just now")
        XCTAssertEqual(age(-30), "just now", "a date in the future (clock skew) is not a negative age")
        XCTAssertEqual(age(4.9), "just now")
        XCTAssertEqual(age(42), "42 s ago")
        XCTAssertEqual(age(60), "1 min ago")
        XCTAssertEqual(age(3 * 60 + 59), "3 min ago")
        XCTAssertEqual(age(3_600 * 5 + 10), "5 h ago")
        XCTAssertEqual(age(86_400), "1 day ago")
        XCTAssertEqual(age(86_400 * 12 + 7), "12 days ago")
    }

    func testDurationSwitchesFromMillisecondsToSecondsToMinutes() {
        XCTAssertEqual(ReportFormat.duration(0.042), "42 ms")
        XCTAssertEqual(ReportFormat.duration(0.9994), "999 ms")
        XCTAssertEqual(ReportFormat.duration(1.5), "1.5 s")
        XCTAssertEqual(ReportFormat.duration(4.25), "4.3 s")
        XCTAssertEqual(ReportFormat.duration(187), "3 min 7 s")
        XCTAssertEqual(ReportFormat.duration(-1), "0 ms")
    }

    func testBytesUseBinaryUnitsWithOneDecimal() {
        XCTAssertEqual(ReportFormat.bytes(512), "512 B")
        XCTAssertEqual(ReportFormat.bytes(1_024), "1.0 KiB")
        XCTAssertEqual(ReportFormat.bytes(200_000), "195.3 KiB")
        XCTAssertEqual(ReportFormat.bytes(3 * 1_048_576 / 2), "1.5 MiB")
        XCTAssertEqual(ReportFormat.bytes(2 << 30), "2.0 GiB")
    }

    func testPercentHasOneDecimalAndSurvivesAnEmptyWhole() {
        XCTAssertEqual(ReportFormat.percent(12, of: 40), "30.0 %")
        XCTAssertEqual(ReportFormat.percent(1, of: 3), "33.3 %")
        XCTAssertEqual(ReportFormat.percent(0, of: 0), "0.0 %")
    }

    func testTimestampsAreUTC() {
        XCTAssertEqual(ReportFormat.timestamp(InspectedRunFixture.base), "2026-11-18 11:06:40 UTC")
        XCTAssertEqual(ReportFormat.iso8601(InspectedRunFixture.base.addingTimeInterval(0.125)), "2026-11-18T11:06:40.125Z")
    }

    func testOneLineCollapsesWhitespaceAndCutsWithAnEllipsis() {
        XCTAssertEqual(ReportFormat.oneLine("  a\n\n b\tc  ", limit: 80), "a b c")
        XCTAssertEqual(ReportFormat.oneLine("abcdefghij", limit: 10), "abcdefghij")
        XCTAssertEqual(ReportFormat.oneLine("abcdefghijk", limit: 10), "abcdefghi…")
    }

    func testTextTableAlignsColumnsAndDropsTrailingSpaces() {
        var table = TextTable([.init("ID"), .init("N", alignment: .right), .init("NOTE")])
        table.append(["a", "1,000", ""])
        table.append(["bbb", "7", "x"])
        XCTAssertEqual(table.rendered(), """
            ID       N  NOTE
            a    1,000
            bbb      7  x

            """)
    }
}
