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
        // MARK: - System libraries (found through pkg-config; .ci/run installs the -dev packages)
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CJSONC", pkgConfig: "json-c", providers: [.apt(["libjson-c-dev"])]),

        // MARK: - Library
        .target(name: "IngotCore", swiftSettings: fast),
        .target(name: "IngotFormats", dependencies: ["IngotCore", "CZstd", "CJSONC"], swiftSettings: fast),
        .target(name: "IngotQuant", dependencies: ["IngotCore"], swiftSettings: fast),
        .target(name: "IngotModel", dependencies: ["IngotCore", "IngotFormats"], swiftSettings: fast),
        .target(name: "IngotInference",
                dependencies: ["IngotCore", "IngotQuant", "IngotModel", "COpenBLAS"], swiftSettings: fast),
        .target(name: "IngotCalibration",
                dependencies: ["IngotInference", "IngotQuant", "IngotModel"], swiftSettings: fast),
        .target(name: "IngotPipeline",
                dependencies: ["IngotCore", "IngotFormats", "IngotQuant", "IngotModel",
                               "IngotInference", "IngotCalibration"], swiftSettings: fast),

        // MARK: - Command line
        .executableTarget(name: "ingot", dependencies: [
            "IngotPipeline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "ingot-bench", dependencies: ["IngotPipeline"],
                          path: "Benchmarks/ingot-bench", swiftSettings: fast),

        // MARK: - Tests (Swift Testing; fixtures under Tests/Fixtures, described in Tests/Fixtures/README.md)
        // What several test targets share (fixture paths, the seeded generator, the hostile mutator, llama.cpp's
        // oracles, the CLI runner): a plain target under Tests/, not a product, so nothing outside sees it.
        .target(name: "IngotTestSupport", dependencies: ["IngotCore", "IngotFormats"], path: "Tests/IngotTestSupport"),
        .testTarget(name: "IngotTestSupportTests", dependencies: ["IngotTestSupport"]),
        .testTarget(name: "IngotCoreTests", dependencies: ["IngotCore", "IngotTestSupport"]),
        .testTarget(name: "IngotFormatsTests", dependencies: ["IngotFormats", "IngotTestSupport"]),
        .testTarget(name: "IngotQuantTests", dependencies: ["IngotQuant", "IngotFormats", "IngotTestSupport"]),
        .testTarget(name: "IngotModelTests", dependencies: ["IngotModel", "IngotTestSupport"]),
        .testTarget(name: "IngotInferenceTests", dependencies: ["IngotInference", "IngotFormats", "IngotTestSupport"]),
        .testTarget(name: "IngotPipelineTests", dependencies: ["IngotPipeline", "IngotTestSupport"]),
        .testTarget(name: "IngotCLITests", dependencies: ["IngotPipeline", "IngotTestSupport"]),
    ],
    // Swift 5 mode: the numeric kernels share buffers across threads deliberately (disjoint row ranges).
    swiftLanguageModes: [.v5]
)

/// Numeric code is built with whole-module optimisation in release; strict float order is kept
/// by the code itself (no fused multiply-add is ever requested), so bit-exact encoders stay exact.
var fast: [SwiftSetting] { [.unsafeFlags(["-enforce-exclusivity=unchecked"])] }
