import Foundation

/// Where the repository's test fixtures are: Tests/Fixtures, found from this source file's path, so tests read
/// only what the repository holds (Tests/Fixtures/README.md lists every fixture and where it came from).
public enum Fixtures {
    /// Tests/Fixtures.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    /// The package root (for Calibration/ texts and the like).
    public static let repoRoot = root.deletingLastPathComponent().deletingLastPathComponent()

    /// A fixture by its path under Tests/Fixtures.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    public static func path(_ relative: String) -> String { url(relative).path }

    /// One of the tiny model directories under Tests/Fixtures/models (config.json, model.safetensors, tokenizer).
    public static func model(_ name: String) -> URL { root.appendingPathComponent("models").appendingPathComponent(name) }

    /// True in an optimised build (the CI suite), where heavy numeric tests run in full; debug builds check less.
    public static var isRelease: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}
