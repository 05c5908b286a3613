// swift-tools-version:6.0
import PackageDescription

/// Ingot: one library split by concern (see docs in Formats/ and the CHANGELOG), one thin CLI.
/// Targets never reach across their lines: formats move bytes, quantizers do math,
/// inference calls BLAS, the CLI parses and prints.
let package = Package(
    name: "Ingot",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ingot", targets: ["ingot"]),
        .library(name: "IngotPipeline", targets: ["IngotPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - System libraries (found through pkg-config; scripts/setup.sh installs the -dev packages)
        // zstd is declared for the packed format (`.ingot`) and linked by nothing yet: the target that first
        // imports CZstd adds it to its dependencies, so no package builds against libzstd before it is used.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),

        // MARK: - Library
        // No unsafe flags on anything a package can depend on (SwiftPM refuses a dependency whose targets carry
        // unsafeFlags). `-enforce-exclusivity=unchecked` was here; release benchmarks with and without it
        // (quantize/dequantize throughput, convert, ppl; Benchmarks/README.md) differ by less than their noise.
        // Swift 6 language mode (the tools-version 6 default) on every library target: the one place the
        // kernels cross threads is `Parallel.forEachChunk`, which documents why its closure is not @Sendable.
        .target(name: "IngotCore"),
        .target(name: "IngotFormats", dependencies: ["IngotCore"]),
        .target(name: "IngotQuant", dependencies: ["IngotCore"]),
        .target(name: "IngotModel", dependencies: ["IngotCore", "IngotFormats"]),
        .target(name: "IngotInference",
                dependencies: ["IngotCore", "IngotQuant", "IngotModel", "COpenBLAS"]),
        .target(name: "IngotCalibration",
                dependencies: ["IngotInference", "IngotQuant", "IngotModel"]),
        .target(name: "IngotPipeline",
                dependencies: ["IngotCore", "IngotFormats", "IngotQuant", "IngotModel",
                               "IngotInference", "IngotCalibration"]),

        // MARK: - Command line
        // Swift 6 mode: the commands write through `Console` (FileHandle), not C's mutable global `stderr`.
        .executableTarget(name: "ingot", dependencies: [
            "IngotPipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "ingot-bench", dependencies: ["IngotPipeline"], path: "Benchmarks/ingot-bench"),

        // MARK: - Tests (Swift Testing; fixtures under Tests/Fixtures, described in Tests/Fixtures/README.md)
        // What several test targets share (fixture paths, the seeded generator, the hostile mutator, llama.cpp's
        // oracles, the CLI runner): a plain target under Tests/, not a product, so nothing outside sees it.
        .target(name: "IngotTestSupport", dependencies: ["IngotCore", "IngotFormats"], path: "Tests/IngotTestSupport"),
        .testTarget(name: "IngotTestSupportTests", dependencies: ["IngotTestSupport"]),
        .testTarget(name: "IngotCoreTests", dependencies: ["IngotCore", "IngotTestSupport"]),
        .testTarget(name: "IngotFormatsTests", dependencies: ["IngotFormats", "IngotTestSupport"]),
        // Swift 5 mode for two test targets: their suites keep fixtures in static properties of types that are not
        // Sendable (FixtureVectors holds a SafetensorsReader; JSONValue, ModelNaming.Components), which Swift 6
        // rejects; making those library types Sendable would let them move.
        .testTarget(name: "IngotQuantTests", dependencies: ["IngotQuant", "IngotFormats", "IngotTestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "IngotModelTests", dependencies: ["IngotModel", "IngotTestSupport"],
                    swiftSettings: [.swiftLanguageMode(.v5)]),
        .testTarget(name: "IngotInferenceTests", dependencies: ["IngotInference", "IngotFormats", "IngotTestSupport"]),
        .testTarget(name: "IngotPipelineTests", dependencies: ["IngotPipeline", "IngotTestSupport"]),
        .testTarget(name: "IngotCLITests", dependencies: ["IngotPipeline", "IngotTestSupport"]),
    ]
)
