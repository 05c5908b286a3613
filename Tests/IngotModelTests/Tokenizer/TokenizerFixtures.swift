import Foundation
import IngotCore
import IngotFormats
@testable import IngotModel
import IngotTestSupport

/// Paths of tokenizer fixtures, relative to this file (never outside the repository).
enum TokenizerFixtures {
    static let repo = Fixtures.repoRoot
    static func path(_ relative: String) -> String { repo.appendingPathComponent(relative).path }
    static func fixture(_ relative: String) -> String { path("Tests/Fixtures/" + relative) }

    /// The tokenizer.json fixtures and the name of their expected-ids file.
    static let huggingFace: [(name: String, path: String)] = [
        ("gpt2_style", "vocab/tokenizer-fixtures/gpt2_style.json"),
        ("llama2_spm_style", "vocab/tokenizer-fixtures/llama2_spm_style.json"),
        ("llama3_style", "vocab/tokenizer-fixtures/llama3_style.json"),
        ("o200k_style", "vocab/tokenizer-fixtures/o200k_style.json"),
        ("models", "models/tokenizer.json"),
    ]

    static func load(_ relative: String) throws -> Tokenizer {
        try Tokenizer.load(tokenizerJSON: fixture(relative))
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: Tokenizer] = [:]

    /// A tokenizer loaded once per test process (large GGUF vocabularies are slow to load in debug builds).
    static func shared(_ relative: String) throws -> Tokenizer {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let t = cache[relative] { return t }
        let t = try Tokenizer.load(path: fixture(relative))
        cache[relative] = t
        return t
    }

    static var evalText: [UInt8] {
        get throws { Array(try Data(contentsOf: URL(fileURLWithPath: path("Calibration/eval.txt")))) }
    }

    /// sha256 of ids as little-endian uint32 (the expected files' digest).
    static func digest(_ ids: ArraySlice<Int32>) -> String {
        var h = SHA256()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            let v = UInt32(bitPattern: id)
            bytes += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)]
        }
        h.update(bytes)
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Tests built without optimisation (`swift test` in debug) check less text to stay fast.
    static var isDebugBuild: Bool {
        #if DEBUG
        return true
        #else
        return false
        #endif
    }
}
