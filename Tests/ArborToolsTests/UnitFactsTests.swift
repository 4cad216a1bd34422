@testable import ArborTools
import XCTest

/// The conversions the prose tree states for the units a problem names, from
/// `unit_convert`'s own table.
final class UnitFactsTests: XCTestCase {
    func testNamedUnitsAreFoundByNameSymbolOrAfterANumber() {
        let cases: [(String, [String])] = [
            ("A runner does 3 laps of 2.5 miles each. How many kilometers is that in total?", ["mi", "km"]),
            ("A rope is 12 feet long. How many metres long is it?", ["ft", "m"]),
            ("A parcel weighs 5 kg and its box 2 kg. How many pounds do they weigh together?", ["kg", "lb"]),
            ("A file is 250 MB. How many GB do 4 such files take?", ["MB", "GB"]),
            ("It is 20 degrees Celsius. What is it in Fahrenheit?", ["degC", "degF"]),
            ("A project takes 3 hours a day for 12 days. How many minutes is that?", ["h", "d", "min"]),
            ("The pool is 25 m long; swim in it for 30 min.", ["m", "min"]),
            // words that are short symbols count only after a number; `in` never
            ("Put 3 apples in a bag; a min of 2 is needed, m is unknown.", []),
            ("Sold 40 t of wheat at 3 h past noon", ["t", "h"]),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(UnitFacts.mentionedSymbols(in: text), expected, text)
        }
    }

    func testFactsGiveTheConvertersFactorsBothWaysAndTemperatureFormulas() {
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "3 laps of 2.5 miles. How many kilometers is that?"),
                       ["1 mile = 1.609344 kilometers", "1 kilometer = 0.6213711922 miles"])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "A bag weighs 40 pounds. How many kilograms?"),
                       ["1 pound = 0.45359237 kilograms", "1 kilogram = 2.204622622 pounds"])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "The oven is at 350 degrees Fahrenheit. What is that in Celsius?"),
                       ["Celsius = (Fahrenheit - 32) × 5/9", "Fahrenheit = Celsius × 9/5 + 32"])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "0 kelvin in Celsius"), ["Celsius = kelvin - 273.15", "kelvin = Celsius + 273.15"])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "A video lasts 150 minutes. How many hours do 5 such videos last?"),
                       ["1 minute = 0.01666666667 hours", "1 hour = 60 minutes"])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "A disk holds 40 GiB. How many MiB are free?"),
                       ["1 GiB = 1024 MiB", "1 MiB = 0.0009765625 GiB"])
        // units of different kinds are not related; one unit alone states nothing
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "A car drives 40 miles in 2 hours."), [])
        XCTAssertEqual(UnitFacts.lines(mentionedIn: "Tom buys 8 pens at $7 each."), [])
    }

    func testEveryStatedFactorIsTheConvertersOwn() throws {
        for text in ["miles kilometers feet meters inches centimeters yards", "pounds kilograms ounces grams",
                     "seconds minutes hours days weeks", "kB MB GB KiB MiB GiB"] {
            for line in UnitFacts.lines(mentionedIn: text) {
                let parts = line.split(separator: " ")
                XCTAssertEqual(parts.count, 5, line)
                let factor = try XCTUnwrap(Double(parts[3]), line)
                XCTAssertFalse(parts[3].contains("e"), line)
                let from = UnitFacts.mentionedSymbols(in: "1 " + parts[1]), to = UnitFacts.mentionedSymbols(in: "2 " + parts[4])
                let exact = try XCTUnwrap(UnitConverter.convert(1, from: from[0], to: to[0])["value"]?.doubleValue)
                XCTAssertEqual(factor, exact, accuracy: exact * 1e-9, line)
            }
        }
    }
}
