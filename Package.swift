// swift-tools-version:6.0
import PackageDescription

// Numeric code is always optimised: Swift debug builds of the C kernels would be far
// too slow for inference, so -O3 is forced in every configuration. AVX2/FMA/F16C is the
// floor every supported machine has; AVX-512 paths are chosen at run time per function.
let kernelFlags: [String] = ["-O3", "-mavx2", "-mfma", "-mf16c", "-fno-math-errno"]

// The Swift modules every decoded token passes through (schemas, grammar masks, the model's
// Swift side, the decode loop) are optimised in debug builds too: unoptimised, a test run of a
// whole workflow spends most of its time there, not in the kernels. `ARBOR_DEBUG_ONONE=1`
// builds them unoptimised, for stepping through them in a debugger.
let hotPathSettings: [SwiftSetting] =
    Context.environment["ARBOR_DEBUG_ONONE"] == "1" ? [] : [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Arbor",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "arbor", targets: ["ArborCLI"]),
        .library(name: "ArborSchema", targets: ["ArborSchema"]),
        .library(name: "ArborSpec", targets: ["ArborSpec"]),
        .library(name: "ArborGrammar", targets: ["ArborGrammar"]),
        .library(name: "ArborModel", targets: ["ArborModel"]),
        .library(name: "ArborTools", targets: ["ArborTools"]),
        .library(name: "ArborStore", targets: ["ArborStore"]),
        .library(name: "ArborRuntime", targets: ["ArborRuntime"]),
        .library(name: "ArborRecording", targets: ["ArborRecording"]),
        .library(name: "ArborRemote", targets: ["ArborRemote"]),
        .library(name: "ArborTesting", targets: ["ArborTesting"]),
        .library(name: "ArborServer", targets: ["ArborServer"]),
        .library(name: "ArborWeb", targets: ["ArborWeb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", exact: "0.12.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        // Already resolved for the MCP SDK; `arbor mcp --http` serves HTTP/1.1 on it.
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        // `arbor serve`: HTTP and Server-Sent Events (see README, "arbor serve", for why Hummingbird).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    ],
    targets: [
        // Modules, in dependency order (see DESIGN.md's module map).
        .target(name: "ArborSchema", swiftSettings: hotPathSettings),
        .target(
            name: "ArborSpec",
            dependencies: ["ArborSchema", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "ArborGrammar", dependencies: ["ArborSchema"], swiftSettings: hotPathSettings),
        .target(
            name: "CArborKernels",
            cSettings: [.unsafeFlags(kernelFlags)]
        ),
        .target(name: "ArborModel", dependencies: ["CArborKernels"], swiftSettings: hotPathSettings),
        .target(
            name: "ArborTools",
            // GRDB: the SQLite FTS5 index of the document built-ins (see Documents/DocumentIndex.swift)
            dependencies: ["ArborSchema", "ArborSpec", .product(name: "MCP", package: "swift-sdk"),
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "ArborStore",
            // GRDBSQLite: the SQLite C API GRDB itself uses, for the WAL hook (see WALCheckpointer.swift)
            dependencies: ["ArborSchema", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        .target(
            name: "ArborRuntime",
            dependencies: ["ArborSchema", "ArborSpec", "ArborGrammar", "ArborModel", "ArborTools"],
            swiftSettings: hotPathSettings
        ),
        // A run recorded in the SQLite store: the runtime's recorder and run record, over ArborStore.
        .target(
            name: "ArborRecording",
            dependencies: ["ArborSchema", "ArborSpec", "ArborModel", "ArborTools", "ArborStore", "ArborRuntime"]
        ),
        .target(name: "ArborTesting", dependencies: ["ArborSchema", "ArborSpec", "ArborTools", "ArborRuntime", "ArborModel"]),
        // `arbor mcp`: workflows served as MCP tools.
        .target(
            name: "ArborServer",
            dependencies: ["ArborSchema", "ArborSpec", "ArborModel", "ArborTools", "ArborStore", "ArborRuntime", "ArborRecording",
                           .product(name: "MCP", package: "swift-sdk"), .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio")]
        ),
        // `arbor serve`: the JSON API, run events as Server-Sent Events, the page as resources.
        .target(
            name: "ArborWeb",
            dependencies: ["ArborSchema", "ArborSpec", "ArborStore", .product(name: "Hummingbird", package: "hummingbird")],
            resources: [.copy("Page")]
        ),
        // Every benchmark: the model's speed, grammar masks, the store, tools in the loop, long jobs.
        // Serving engines (llama-server, vLLM, SGLang) as a decoding backend. HTTP through the
        // system libcurl (as FoundationNetworking uses), called blocking from a small C target:
        // URLSession's completion needs a dispatch thread that a waiting decode loop can starve.
        .target(name: "CArborHTTP", linkerSettings: [.linkedLibrary("curl")]),
        .target(
            name: "ArborRemote",
            dependencies: ["CArborHTTP", "ArborSchema", "ArborSpec", "ArborGrammar", "ArborModel", "ArborStore", "ArborRuntime",
                           "ArborRecording"]
        ),
        .target(
            name: "ArborBench",
            dependencies: ["CArborKernels", "ArborSchema", "ArborSpec", "ArborGrammar", "ArborModel", "ArborTools", "ArborStore", "ArborRuntime",
                           "ArborRecording", "ArborRemote"]
        ),
        .executableTarget(
            name: "ArborCLI",
            dependencies: [
                "ArborSchema", "ArborSpec", "ArborGrammar", "ArborModel", "ArborTools", "ArborStore", "ArborRuntime",
                "ArborRecording", "ArborTesting", "ArborBench", "ArborServer", "ArborWeb", "ArborRemote",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "MCP", package: "swift-sdk"),
            ]
        ),
        .executableTarget(
            name: "LibraryUsageExample",
            dependencies: ["ArborSchema", "ArborSpec", "ArborModel"],
            path: "Examples/LibraryUsage"
        ),

        // Tests mirror the modules; fixtures live in each target's Fixtures/ folder.
        // ArborFuzzSupport is the tests' mutation fuzzer (seeded, in process, with a watchdog).
        .target(name: "ArborFuzzSupport", path: "Tests/ArborFuzzSupport"),
        // ArborStoreTestSupport: sample records and the inspected-run fixture, for the store's
        // tests and the CLI's tests of `arbor runs` / `arbor inspect`.
        .target(name: "ArborStoreTestSupport", dependencies: ["ArborSchema", "ArborStore"], path: "Tests/ArborStoreTestSupport"),
        // ArborTestSupport: where the tests that load a model find it.
        .target(name: "ArborTestSupport", path: "Tests/ArborTestSupport"),
        .testTarget(name: "ArborSchemaTests", dependencies: ["ArborSchema", "ArborFuzzSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ArborSpecTests", dependencies: ["ArborSpec", "ArborSchema", "ArborFuzzSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "ArborGrammarTests", dependencies: ["ArborGrammar", "ArborSchema"]),
        .testTarget(name: "CArborKernelsTests", dependencies: ["CArborKernels"], exclude: ["Fixtures"]),
        .testTarget(name: "ArborModelTests", dependencies: ["ArborModel", "CArborKernels", "ArborFuzzSupport", "ArborTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(
            name: "ArborToolsTests",
            dependencies: ["ArborTools", "ArborSpec", "ArborSchema", "ArborFuzzSupport", .product(name: "MCP", package: "swift-sdk")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborRuntimeTests",
            dependencies: ["ArborRuntime", "ArborGrammar", "ArborModel", "ArborSchema", "ArborSpec", "ArborTools", "ArborStore",
                           "ArborRecording", "ArborTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborRecordingTests",
            dependencies: ["ArborRecording", "ArborRuntime", "ArborSchema", "ArborStore"]
        ),
        .testTarget(
            name: "ArborTestingTests",
            dependencies: ["ArborTesting", "ArborTools", "ArborSpec", "ArborSchema", "ArborFuzzSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborBenchTests",
            dependencies: ["ArborBench", "ArborRuntime", "ArborRecording", "ArborGrammar", "ArborModel", "ArborSchema", "ArborSpec",
                           "ArborTools", "ArborStore"]
        ),
        // The arbor binary's own behaviour: commands run as processes.
        .testTarget(
            name: "ArborCLITests",
            // ArborCLI itself for the unit tests of its own small types (the live status line).
            dependencies: ["ArborCLI", "ArborModel", "ArborSchema", "ArborStore", "ArborStoreTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborServerTests",
            dependencies: ["ArborServer", "ArborSchema", "ArborSpec", "ArborStore", "ArborModel", "ArborTools",
                           .product(name: "MCP", package: "swift-sdk")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborWebTests",
            dependencies: ["ArborWeb", "ArborStore"]
        ),
        .testTarget(
            name: "ArborRemoteTests",
            dependencies: ["ArborRemote", "ArborRuntime", "ArborGrammar", "ArborModel", "ArborSchema", "ArborSpec", "ArborTools",
                           "ArborStore", "ArborRecording", "ArborFuzzSupport", "ArborTestSupport"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "ArborStoreTests",
            dependencies: ["ArborSchema", "ArborStore", "ArborStoreTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
