import Foundation
import IngotCore
import IngotFormats
import Testing
import IngotTestSupport

/// `ingot convert` run as a user runs it: exit statuses, stdout/stderr split, JSON, dry run, Ctrl-C.
@Suite struct ConvertCLITests {
    static let models = Fixtures.url("models").path

    @Test func jsonReportsTheResult() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let out = dir + "/llama.gguf"
        let r = try IngotBinary.run(["convert", Self.models + "/tiny-llama", "-o", out, "--type", "Q8_0", "--json", "--threads", "2"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let j = try JSON.parse(r.stdout)
        #expect(j["file_type"]?.string == "Q8_0")
        #expect(j["tensor_count"]?.int == 39)
        #expect(j["result"]?["files"]?[0]?.string == out)
        let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int
        #expect(j["result"]?["bytes"]?.int == size)
        #expect((j["result"]?["bits_per_weight"]?.double ?? 0) > 8.4)
    }

    @Test func textPrintsPlanAndResultWithSummaryOnStderr() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let r = try IngotBinary.run(["convert", Self.models + "/tiny-gptoss-mxfp4", "-o", dir + "/g.gguf"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("gpt-oss (Hugging Face, GptOssForCausalLM)"))
        #expect(r.stdout.contains("MXFP4_MOE"))
        #expect(r.stdout.contains("wrote   " + dir + "/g.gguf"))
        // Not a terminal: one summary line, no carriage-return progress.
        #expect(r.stderr.hasPrefix("converted 41 tensors"), "\(r.stderr)")
        #expect(!r.stderr.contains("\r"))
    }

    @Test func dryRunWritesNothing() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let r = try IngotBinary.run(["convert", Self.models + "/tiny-mixtral", "-o", dir + "/m.gguf", "--type", "Q4_K_M", "--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("blk.1.ffn_down_exps.weight"))
        #expect(r.stdout.contains("fallback from Q6_K"))
        #expect(r.stdout.contains("total"))
        #expect(r.stdout.contains("dry run: nothing written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func errorsExitTwoWithAMessage() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        let bad = try IngotBinary.run(["convert", Self.models + "/tiny-llama", "-o", dir + "/x.gguf", "--type", "Q9_K"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("ingot: error:") && bad.stderr.contains("Q4_K_M"))
        #expect(bad.stdout.isEmpty)
        let same = try IngotBinary.run(["convert", Self.models + "/tiny-llama/model.safetensors", "-o",
                                        Self.models + "/tiny-llama/model.safetensors", "--type", "F16"])
        #expect(same.status == 2)
        #expect(same.stderr.contains("overwrite an input"))
        let missing = try IngotBinary.run(["convert", dir + "/nothing", "-o", dir + "/x.gguf"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    /// Ctrl-C while the output is being written removes the temporary file; nothing appears under the final name.
    @Test func interruptRemovesTheTemporaryFile() throws {
        let dir = Fixtures.temporaryDirectory("ingot-cli")
        defer { Fixtures.cleanup(dir) }
        // 24 tensors of 512 KB of F32 to quantize one after another: writing starts after the first and lasts
        // long enough to interrupt in any build.
        let rows = 128, cols = 1024, count = 24
        let w = try SafetensorsWriter(path: dir + "/big.safetensors")
        // The first tensor is one row, so the output file is open almost at once.
        func shape(_ t: Int) -> [Int] { t == 0 ? [1, cols] : [rows, cols] }
        for t in 0..<count { try w.declare(try TensorInfo(name: "l\(t).weight", type: .f32, shape: shape(t))) }
        var values = [Float](repeating: 0, count: rows * cols)
        for i in values.indices { values[i] = Float((i &* 2654435761) % 1000) / 1000 - 0.5 }
        for t in 0..<count {
            try values.withUnsafeBytes { try w.write("l\(t).weight", bytes: UnsafeRawBufferPointer(rebasing: $0[0..<(shape(t).reduce(1, *) * 4)])) }
        }
        try w.finish()
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)

        let exe = try #require(IngotBinary.path)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = ["convert", dir + "/big.safetensors", "-o", dir + "/out/big.gguf", "--type", "Q4_K", "--threads", "1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait for the temporary output to appear, then interrupt. (The handler that removes it is installed with
        // it, so this works even where SIGINT is inherited as ignored.)
        var sawTemp = false
        for _ in 0..<3000 where p.isRunning {
            if (try? FileManager.default.contentsOfDirectory(atPath: dir + "/out"))?.contains(where: { $0.contains("ingot-tmp") }) == true {
                sawTemp = true
                break
            }
            usleep(20_000)
        }
        p.interrupt()
        p.waitUntilExit()
        let left = try FileManager.default.contentsOfDirectory(atPath: dir + "/out")
        #expect(sawTemp)
        #expect(left.isEmpty, "left behind: \(left)")
        #expect(p.terminationReason == .uncaughtSignal)
    }
}
