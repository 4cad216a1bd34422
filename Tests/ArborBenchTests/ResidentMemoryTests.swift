import ArborBench
import ArborModel
import XCTest

/// The benchmark's memory figures come from /proc/self/status.
final class ResidentMemoryTests: XCTestCase {
    func testStatusLinesGiveRssAndHighWaterMarkInBytes() throws {
        let status = "Name:\tarbor\nVmPeak:\t  900000 kB\nVmHWM:\t  123456 kB\nVmRSS:\t  100000 kB\nThreads:\t2\n"
        XCTAssertEqual(ResidentMemory.parse(status: status), ResidentMemory(current: 100_000 * 1024, peak: 123_456 * 1024))
        XCTAssertNil(ResidentMemory.parse(status: "Name:\tarbor\nVmRSS:\t  100000 kB\n"), "no VmHWM line")
        XCTAssertNil(ResidentMemory.parse(status: "VmHWM:\t  12 MB\nVmRSS:\t  10 kB\n"), "a unit other than kB")
    }

    func testThisProcessReportsAPeakAtLeastItsCurrentSize() throws {
        #if os(Linux)
        let memory = try XCTUnwrap(ResidentMemory.now())
        XCTAssertGreaterThan(memory.current, 0)
        XCTAssertGreaterThanOrEqual(memory.peak, memory.current)
        #else
        throw XCTSkip("/proc/self/status is Linux only")
        #endif
    }
}
