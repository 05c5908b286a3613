import Foundation
import Testing
import IngotCore
import IngotFormats
@testable import IngotQuant
import IngotTestSupport

/// A whole bitsandbytes-style NF4 checkpoint of the tiny Llama fixture: every attention and MLP projection quantized
/// with double quantization, the rest copied, `quantization_config` from ``BitsAndBytesConfig``. It goes through
/// IngotFormats' writer and reader and every weight comes back within NF4's error. With `INGOT_NF4_MODEL_DIR=dir`
/// the checkpoint is kept for scripts/check_nf4_transformers.py, which loads it with transformers + bitsandbytes.
@Suite struct NF4CheckpointTests {
    static let model = Fixtures.url("models/tiny-llama")

    static func isLinear(_ name: String) -> Bool { name.hasPrefix("model.layers.") && name.hasSuffix("_proj.weight") }

    @Test func tinyLlamaNF4CheckpointRoundTrips() throws {
        let keep = ProcessInfo.processInfo.environment["INGOT_NF4_MODEL_DIR"]
        let dir = keep ?? NSTemporaryDirectory() + "ingot-nf4-model-\(getpid())"
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: dir) } }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let source = try SafetensorsFile(path: Self.model.appendingPathComponent("model.safetensors").path)
        let options = NF4Options(type: .nf4, blockSize: 64, doubleQuant: true, dtype: "float16")

        var components: [WeightComponent] = []
        var originals: [String: [Float]] = [:]
        var quantized: [String: NF4Tensor] = [:]
        for info in source.header.tensors {
            guard Self.isLinear(info.name) else {
                let raw = source.withBytes(of: info) { Array($0) }
                components.append(WeightComponent(name: info.name, dtype: info.type, shape: info.shape, bytes: raw))
                continue
            }
            var x = [Float](repeating: 0, count: info.elementCount)
            let ok = source.withBytes(of: info) { raw in
                x.withUnsafeMutableBufferPointer { ElementConversion.toFloat(info.type, raw.baseAddress!, $0.baseAddress!, count: info.elementCount) }
            }
            #expect(ok)
            let t = try NF4Quantizer.quantize(x, shape: info.shape, options: options)
            originals[info.name] = x
            quantized[info.name] = t
            components += t.components(prefix: info.name)
        }
        #expect(quantized.count == 4 * 7)
        let w = try SafetensorsWriter(path: dir + "/model.safetensors", metadata: [("format", "pt")])
        for c in components {
            try w.declare(TensorInfo(name: c.name, type: c.dtype, shape: c.shape, offset: 0, byteCount: c.bytes.count))
        }
        for c in components { try c.bytes.withUnsafeBytes { try w.write(c.name, bytes: $0) } }
        try w.finish()
        // The config text is spliced, not re-serialized: Foundation would print `llm_int8_threshold` 6.0 as 6, and
        // transformers refuses an integer there.
        var config = try String(contentsOf: Self.model.appendingPathComponent("config.json"), encoding: .utf8)
        let close = try #require(config.lastIndex(of: "}"))
        config = String(config[..<close]).trimmingCharacters(in: .whitespacesAndNewlines) + ",\n  \"quantization_config\": "
            + BitsAndBytesConfig.json(options: options, computeDType: "float32", skipModules: ["lm_head"]) + "\n}\n"
        let parsed = try JSONSerialization.jsonObject(with: Data(config.utf8)) as? [String: Any]
        #expect((parsed?["quantization_config"] as? [String: Any])?["bnb_4bit_quant_type"] as? String == "nf4")
        try config.write(toFile: dir + "/config.json", atomically: true, encoding: .utf8)

        // Read back through IngotFormats and decode every quantized weight.
        let file = try SafetensorsFile(path: dir + "/model.safetensors")
        var stored: [String: WeightComponent] = [:]
        for info in file.header.tensors {
            stored[info.name] = WeightComponent(name: info.name, dtype: info.type, shape: info.shape, bytes: file.withBytes(of: info) { Array($0) })
        }
        for (name, t) in quantized {
            let json = try #require(stored[NF4QuantState.tensorName(prefix: name, type: .nf4)]).bytes
            let state = try NF4QuantState(dictionary: try JSONSerialization.jsonObject(with: Data(json)) as! [String: Any])
            let back = try NF4Tensor(prefix: name, state: state, lookup: { stored[$0] })
            #expect(back == t, "\(name)")
            let y = try NF4Quantizer.dequantize(back)
            let r = try ErrorMetrics.measure(original: originals[name]!, reconstructed: y, rowLength: t.state.shape[1], name: name)
            #expect(r.plain.cosine > 0.99 && r.plain.relativeFrobenius < 0.15, "\(name): \(r.plain)")
        }
        #expect(stored["model.embed_tokens.weight"]?.dtype == .f16 && stored["lm_head.weight"]?.dtype == .f16)
    }
}
