@testable import ArborTools
import ArborSchema
import ArborSpec
import Foundation
import XCTest

final class BuiltinToolTests: XCTestCase {
    func testEveryBuiltinHasACompilableSchemaAndIsCallableThroughAToolBox() async throws {
        let box = try ToolBox(tools: BuiltinTool.allCases.map { BuiltinToolImplementation($0) })
        let names = await box.toolNames
        XCTAssertEqual(names, BuiltinTool.allCases.map(\.rawValue))
        let outcome = await box.call("text_stats", arguments: ["text": "one two\nthree"])
        XCTAssertEqual(outcome.value, ["characters": 13, "words": 3, "lines": 2, "bytes": 13])
    }

    func testDatetimeFormatsAFixedInstantInSeveralZones() throws {
        let instant = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z, a Tuesday
        let cases: [(String, String, String, String)] = [
            ("UTC", "2023-11-14T22:13:20Z", "+00:00", "Tuesday"),
            ("Europe/Paris", "2023-11-14T23:13:20+01:00", "+01:00", "Tuesday"),
            ("Asia/Tokyo", "2023-11-15T07:13:20+09:00", "+09:00", "Wednesday"),
            ("America/St_Johns", "2023-11-14T18:43:20-03:30", "-03:30", "Tuesday"),
        ]
        for (zone, datetime, offset, weekday) in cases {
            let result = try DateTools.now(in: zone, at: instant)
            XCTAssertEqual(result["datetime"], .string(datetime), zone)
            XCTAssertEqual(result["utc_offset"], .string(offset), zone)
            XCTAssertEqual(result["weekday"], .string(weekday), zone)
            XCTAssertEqual(result["unix_time"], 1_700_000_000, zone)
            XCTAssertTrue(StringFormat.dateTime.isValid(datetime), datetime)
        }
    }

    func testDatetimeToolReturnsTheCurrentTimeAndRejectsUnknownZones() async throws {
        let tool = BuiltinToolImplementation(.datetime)
        let before = Int64(Date().timeIntervalSince1970)
        let now = try await tool.call(arguments: [:])
        let after = Int64(Date().timeIntervalSince1970)
        let unix = try XCTUnwrap(now["unix_time"]?.integerValue)
        XCTAssertTrue((before...after).contains(unix))
        XCTAssertTrue(now["datetime"]?.stringValue?.hasSuffix("Z") ?? false)
        do {
            _ = try await tool.call(arguments: ["timezone": "Mars/Olympus"])
            XCTFail("an unknown zone was accepted")
        } catch let error as ToolError {
            XCTAssertEqual(error.description, "Tool 'datetime' failed: 'Mars/Olympus' is not an IANA time zone (such as UTC or Europe/Paris)")
        }
    }

    func testDateDiffCountsDaysAcrossLeapYearsAndBackwards() throws {
        let cases: [(String, String, Int64)] = [
            ("2024-02-28", "2024-03-01", 2),
            ("2023-02-28", "2023-03-01", 1),
            ("2000-01-01", "2000-12-31", 365),
            ("1900-01-01", "2000-01-01", 36524),
            ("2026-11-23", "2026-01-01", -326),
            ("1970-01-01", "1970-01-01", 0),
        ]
        for (start, end, days) in cases {
            XCTAssertEqual(try DateTools.days(from: start, to: end), ["days": .integer(days)], "\(start)→\(end)")
        }
        for bad in ["2023-02-29", "2024-13-01", "24-01-01", "2024-1-1", "yesterday"] {
            XCTAssertThrowsError(try DateTools.dayNumber(bad), bad)
        }
    }

    func testUnitConvertAcrossKindsAndRejectsMismatches() throws {
        let cases: [(Double, String, String, Double)] = [
            (1, "km", "m", 1000),
            (1, "mi", "km", 1.609344),
            (12, "in", "ft", 1),
            (1, "lb", "kg", 0.45359237),
            (90, "min", "h", 1.5),
            (100, "degC", "degF", 212),
            (32, "degF", "degC", 0),
            (0, "K", "degC", -273.15),
            (1, "GiB", "MiB", 1024),
            (8, "bit", "B", 1),
            (0.1, "m", "cm", 10),
        ]
        for (value, from, to, expected) in cases {
            let result = try UnitConverter.convert(value, from: from, to: to)
            XCTAssertEqual(result["value"]?.doubleValue ?? .nan, expected, accuracy: abs(expected) * 1e-12, "\(value) \(from)→\(to)")
        }
        XCTAssertThrowsError(try UnitConverter.convert(1, from: "kg", to: "m")) { error in
            XCTAssertEqual((error as? BuiltinFailure)?.message, "cannot convert mass (kg) to length (m)")
        }
        XCTAssertThrowsError(try UnitConverter.convert(1, from: "furlong", to: "m"))
    }

    func testTextStatsCountsGraphemesWordsAndLines() {
        let cases: [(String, [Int64])] = [
            ("", [0, 0, 0, 0]),
            ("hello", [5, 1, 1, 5]),
            ("a b\n", [4, 2, 1, 4]),
            ("a\n\nb", [4, 2, 3, 4]),
            ("café 👍🏽", [6, 2, 1, 14]),
        ]
        for (text, counts) in cases {
            XCTAssertEqual(TextStats.of(text), ["characters": .integer(counts[0]), "words": .integer(counts[1]),
                                                "lines": .integer(counts[2]), "bytes": .integer(counts[3])], text)
        }
    }

    func testJSONQuerySelectsByPointerAndExplainsMisses() async throws {
        let tool = BuiltinToolImplementation(.jsonQuery)
        let document = #"{"items": [{"name": "a"}, {"name": "b/c"}], "a/b": 1}"#
        let name = try await tool.call(arguments: ["document": .string(document), "pointer": "/items/1/name"])
        XCTAssertEqual(name, ["value": "b/c"])
        let escaped = try await tool.call(arguments: ["document": .string(document), "pointer": "/a~1b"])
        XCTAssertEqual(escaped, ["value": 1])
        let box = try ToolBox(tools: [tool])
        let miss = await box.call("json_query", arguments: ["document": .string(document), "pointer": "/items/5"])
        XCTAssertEqual(miss.error?.description, "Tool 'json_query' failed: nothing in the document at /items/5")
        let notJSON = await box.call("json_query", arguments: ["document": "{oops", "pointer": ""])
        XCTAssertTrue(notJSON.error?.description.hasPrefix("Tool 'json_query' failed: the document is not JSON") ?? false)
    }
}
