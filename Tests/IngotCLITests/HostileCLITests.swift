import Foundation
import IngotCore
import IngotFormats
import Testing
import IngotTestSupport

/// The hostile-input promise at the command line: each command that reads a file is run on a handful of
/// corrupted files per format. Every run must exit 2 with a one-paragraph message on stderr that names the file,
/// print nothing that looks like success, never die of a signal or a Swift runtime trap, and (for convert) leave
/// nothing under the output name, no temporary file beside it, and the input byte-for-byte unchanged.
@Suite struct HostileCLITests {
    static let fixtures = Fixtures.root

    /// One corrupted input: a file (or directory), the file name its error must mention, and the commands that
    /// read the damaged part (inspect does not read tokenizer.json; a safetensors→safetensors copy needs no config).
    struct BadInput {
        var label: String
        var path: String
        var names: String
        var commands: Set<String> = ["inspect", "tokenize", "convert-gguf", "convert-safetensors", "ppl"]
    }

    /// A fingerprint of the input: SHA-256 of each file written for the test; size and modification time of the
    /// fixtures a model directory links to (hashing 10 MB in a debug build would dominate the suite).
    static func sha(_ path: String) -> String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        let files = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
        var h = SHA256()
        var stamps: [String] = []
        for f in files {
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: f)) != nil {
                let a = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: f).resolvingSymlinksInPath().path)
                stamps.append("\(f) \(a?[.size] ?? 0) \(a?[.modificationDate] ?? 0)")
            } else {
                h.update(Array((try? Data(contentsOf: URL(fileURLWithPath: f))) ?? Data()))
            }
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined() + stamps.joined(separator: ";")
    }

    /// A valid small GGUF (one F32 matrix, a llama-ish header) and a valid small safetensors file, as bytes.
    static func validFiles(in dir: String) throws -> (gguf: [UInt8], safetensors: [UInt8]) {
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        md.append("general.name", .string("hostile"))
        let g = try GGUFWriter(path: dir + "/ok.gguf", metadata: md)
        let info = try TensorInfo(name: "blk.0.ffn_up.weight", type: .f32, shape: [2, 32])
        try g.declare(info)
        let floats = (0..<64).map { Float($0) / 7 }
        try floats.withUnsafeBytes { try g.write(info.name, bytes: $0) }
        try g.finish()
        let s = try SafetensorsWriter(path: dir + "/ok.safetensors")
        let sInfo = try TensorInfo(name: "model.layers.0.mlp.up_proj.weight", type: .f32, shape: [2, 32])
        try s.declare(sInfo)
        try floats.withUnsafeBytes { try s.write(sInfo.name, bytes: $0) }
        try s.finish()
        return (Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/ok.gguf"))),
                Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/ok.safetensors"))))
    }

    static func badInputs(in dir: String) throws -> [BadInput] {
        let (gguf, st) = try validFiles(in: dir)
        var out: [BadInput] = []
        func file(_ label: String, _ name: String, _ bytes: [UInt8]) {
            let p = dir + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            var b = BadInput(label: label, path: p, names: name)
            if !name.hasSuffix(".gguf") { b.commands.remove("tokenize") }
            out.append(b)
        }
        func set64(_ b: [UInt8], _ at: Int, _ v: UInt64) -> [UInt8] {
            var m = b
            for j in 0..<8 { m[at + j] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(j))) }
            return m
        }
        file("GGUF truncated in the header", "cut-header.gguf", Array(gguf[0..<40]))
        file("GGUF truncated in the data", "cut-data.gguf", Array(gguf.dropLast(9)))
        file("GGUF tensor count 2^60", "count.gguf", set64(gguf, 8, 1 << 60))
        file("GGUF key/value count UInt64.max", "kvcount.gguf", set64(gguf, 16, .max))
        file("GGUF first key length 2^63-1", "keylen.gguf", set64(gguf, 24, UInt64(Int64.max)))
        file("GGUF bad magic", "magic.gguf", [0x47, 0x47, 0x55, 0x47] + gguf.dropFirst(4))
        file("safetensors truncated", "cut.safetensors", Array(st.dropLast(5)))
        file("safetensors header length 2^40", "hlen.safetensors", set64(st, 0, 1 << 40))
        var badJSON = st
        badJSON[9] = UInt8(ascii: "]")
        file("safetensors header not JSON", "json.safetensors", badJSON)
        file("empty file", "empty.safetensors", [])
        // A gguf-split set whose second shard repeats the first shard's tensor.
        for k in 0..<2 {
            var md = Metadata()
            md.append("general.architecture", .string("llama"))
            md.append("split.no", .uint16(UInt16(k)))
            md.append("split.count", .uint16(2))
            md.append("split.tensors.count", .int32(2))
            let w = try GGUFWriter(path: dir + "/dup-0000\(k + 1)-of-00002.gguf", metadata: md)
            let info = try TensorInfo(name: "blk.0.ffn_up.weight", type: .f32, shape: [32])
            try w.declare(info)
            try [Float](repeating: 1, count: 32).withUnsafeBytes { try w.write(info.name, bytes: $0) }
            try w.finish()
        }
        out.append(BadInput(label: "split GGUF with a tensor in two shards", path: dir + "/dup-00001-of-00002.gguf",
                            names: "dup-00002-of-00002.gguf", commands: ["inspect", "convert-gguf"]))
        // A model directory: the fixture's weights (linked, never copied) with a damaged config or tokenizer.
        let tiny = fixtures.appendingPathComponent("models/tiny-llama").path
        for (label, damage) in [("config.json truncated", "config"), ("tokenizer.json damaged", "tokenizer"),
                                ("config.json with too few layers", "layers")] {
            let m = dir + "/model-\(damage)"
            try FileManager.default.createDirectory(atPath: m, withIntermediateDirectories: true)
            for f in ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"] {
                try FileManager.default.createSymbolicLink(atPath: m + "/" + f, withDestinationPath: tiny + "/" + f)
            }
            let target = damage == "tokenizer" ? "tokenizer.json" : "config.json"
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: tiny + "/" + target)))
            try FileManager.default.removeItem(atPath: m + "/" + target)
            let bytes: [UInt8]
            switch damage {
            case "config": bytes = Array(original.prefix(original.count / 2))
            case "tokenizer": bytes = Array(original.prefix(2000)) + [0xFF] + original.dropFirst(2001)
            default:
                bytes = Array(String(decoding: original, as: UTF8.self)
                    .replacingOccurrences(of: "\"num_hidden_layers\": 4", with: "\"num_hidden_layers\": 2").utf8)
            }
            FileManager.default.createFile(atPath: m + "/" + target, contents: Data(bytes))
            // A semantic mismatch is reported against the checkpoint (the directory), a damaged file by its name.
            let commands: Set<String> = switch damage {
            case "config": ["inspect", "convert-gguf", "convert-safetensors", "ppl"]
            case "tokenizer": ["tokenize", "convert-gguf", "ppl"]
            default: ["convert-gguf"]
            }
            out.append(BadInput(label: label, path: m, names: damage == "layers" ? "model-layers" : target, commands: commands))
        }
        return out
    }

    /// Checks one failed run.
    static func checkFailure(_ r: (status: Int32, stdout: String, stderr: String), input: BadInput, command: String) -> [String] {
        var problems: [String] = []
        let where_ = "\(command) on \(input.label)"
        if r.status != 2 { problems.append("\(where_): exit status \(r.status), expected 2; stderr: \(r.stderr)") }
        if r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump") || r.status >= 128 {
            problems.append("\(where_): crashed: \(r.stderr.prefix(400))")
        }
        if !r.stderr.contains(input.names) { problems.append("\(where_): stderr does not name \(input.names): \(r.stderr)") }
        if !r.stderr.hasPrefix("ingot: error: ") { problems.append("\(where_): stderr is not one error paragraph: \(r.stderr.prefix(300))") }
        if r.stderr.contains("\n\n") || r.stderr.split(separator: "\n").count > 3 {
            problems.append("\(where_): stderr is more than one paragraph: \(r.stderr.prefix(600))")
        }
        if !r.stdout.isEmpty { problems.append("\(where_): printed to stdout: \(r.stdout.prefix(200))") }
        return problems
    }

    @Test func corruptedInputsFailCleanly() throws {
        let dir = Fixtures.temporaryDirectory("ingot-hostile-cli")
        defer { Fixtures.cleanup(dir) }
        let inputs = try HostileCLITests.badInputs(in: dir)
        let textPath = dir + "/text.txt"
        FileManager.default.createFile(atPath: textPath, contents: Data(String(repeating: "hello world. ", count: 40).utf8))
        var problems: [String] = []
        for input in inputs {
            let before = HostileCLITests.sha(input.path)
            var runs: [(String, [String])] = []
            if input.commands.contains("inspect") {
                runs.append(("inspect", ["inspect", input.path]))
                runs.append(("inspect --json --tensors", ["inspect", input.path, "--json", "--tensors"]))
            }
            if input.commands.contains("tokenize") { runs.append(("tokenize", ["tokenize", input.path, "hello"])) }
            if input.commands.contains("ppl") {
                runs.append(("ppl", ["ppl", input.path, "--text", textPath, "--ctx", "16", "--chunks", "1", "--threads", "1"]))
            }
            for (name, type) in [("gguf", "Q8_0"), ("safetensors", "F16")] where input.commands.contains("convert-" + name) {
                let outDir = dir + "/out-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
                runs.append(("convert → \(name)", ["convert", input.path, "-o", outDir + "/out." + name, "--type", type]))
            }
            for (command, args) in runs {
                let r = try IngotBinary.run(args)
                problems += HostileCLITests.checkFailure(r, input: input, command: command)
                if command.hasPrefix("convert"), let o = args.firstIndex(of: "-o") {
                    let outDir = (args[o + 1] as NSString).deletingLastPathComponent
                    let left = (try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? []
                    if !left.isEmpty { problems.append("\(command) on \(input.label): left \(left) in the output directory") }
                }
            }
            if HostileCLITests.sha(input.path) != before { problems.append("\(input.label): the input changed") }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) problems:\n" + problems.prefix(20).joined(separator: "\n")))
    }

    /// A valid file whose data holds a NaN: convert fails mid-stream, after the output was started, and must
    /// still leave no output and no temporary file.
    @Test func convertFailingMidStreamLeavesNothing() throws {
        let dir = Fixtures.temporaryDirectory("ingot-hostile-nan")
        defer { Fixtures.cleanup(dir) }
        let (gguf, st) = try HostileCLITests.validFiles(in: dir)
        var problems: [String] = []
        for (name, bytes, dataEnd) in [("nan.gguf", gguf, gguf.count), ("nan.safetensors", st, st.count)] {
            var m = bytes
            for j in 0..<4 { m[dataEnd - 4 + j] = [0x00, 0x00, 0xC0, 0x7F][j] }
            let p = dir + "/" + name
            FileManager.default.createFile(atPath: p, contents: Data(m))
            let before = HostileCLITests.sha(p)
            for out in ["q.gguf"] {
                let outDir = dir + "/out-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
                let r = try IngotBinary.run(["convert", p, "-o", outDir + "/" + out, "--type", "Q8_0"])
                let input = BadInput(label: "NaN in \(name)", path: p, names: name)
                problems += HostileCLITests.checkFailure(r, input: input, command: "convert → \(out)")
                let left = (try? FileManager.default.contentsOfDirectory(atPath: outDir)) ?? []
                if !left.isEmpty { problems.append("convert \(name) → \(out): left \(left)") }
            }
            if HostileCLITests.sha(p) != before { problems.append("\(name): the input changed") }
        }
        #expect(problems.isEmpty, Comment(rawValue: "\(problems.count) problems:\n" + problems.joined(separator: "\n")))
    }
}
