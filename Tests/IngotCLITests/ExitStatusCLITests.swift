import Foundation
import IngotPipeline
import Testing
import IngotTestSupport

/// Exit statuses as the README promises them: 0 success (also `--help`, `--version`), 2 bad usage or bad input.
@Suite struct ExitStatusCLITests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models/tiny-llama").path

    @Test func convertWithoutOutputExitsTwo() throws {
        let r = try IngotBinary.run(["convert", Self.model])
        #expect(r.status == 2)
        #expect(r.stderr.contains("Missing expected argument '--output <output>'"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func usageErrorsExitTwo() throws {
        for args in [["inspect", Self.model, "--bogus"], ["ppl", Self.model, "--text", "t.txt", "--ctx", "2"],
                     ["generate", Self.model, "-p", "x", "--top-p", "2"], ["convert", Self.model, "-o", "x.gguf", "--threads", "0"],
                     ["tokenize", Self.model], ["nosuchcommand"]] {
            let r = try IngotBinary.run(args)
            #expect(r.status == 2, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("Error:") || r.stderr.contains("error:"), "\(args): \(r.stderr)")
        }
    }

    @Test func helpAndVersionExitZero() throws {
        let help = try IngotBinary.run(["convert", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: ingot convert"))
        // The type lists come from the type tables.
        for name in ConvertTypes.singleTypes + ConvertTypes.mixes + ConvertTypes.safetensorsTypes {
            #expect(help.stdout.contains(name), "--help lacks \(name)")
        }
        let version = try IngotBinary.run(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
        let gen = try IngotBinary.run(["generate", "--help"])
        #expect(gen.status == 0 && gen.stdout.contains("-n, --max-tokens"))
    }

    @Test func unknownFormatExitsTwoNamingTheFileAndTheFormats() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-cli-fmt-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = dir + "/model.gguf"
        FileManager.default.createFile(atPath: p, contents: Data("not a model".utf8))
        for command in [["inspect", p], ["convert", p, "-o", dir + "/out.gguf"], ["ppl", p, "--text", p]] {
            let r = try IngotBinary.run(command)
            #expect(r.status == 2, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("ingot: error: \(p): not a GGUF or safetensors file (first bytes: [6E 6F 74 20 61 20 6D 6F])"), "\(r.stderr)")
            #expect(r.stderr.contains("hint: Ingot reads GGUF (") && r.stderr.contains("safetensors ("), "\(r.stderr)")
        }
    }
}
