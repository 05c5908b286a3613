import Foundation
import IngotCore
import IngotFormats
import IngotTestSupport

/// Test vectors stored as safetensors (U8 and F32 tensors), read through IngotFormats' `SafetensorsReader`.
struct FixtureVectors {
    let reader: SafetensorsReader

    static let url = Fixtures.url("vectors/ggml-quant-vectors.safetensors")

    static let shared: FixtureVectors = try! FixtureVectors(url: url)

    init(url: URL) throws {
        reader = try SafetensorsReader(path: url.path)
    }

    /// Case names (`gaussian`, `width_2880`, …): every `CASE.input` tensor.
    var cases: [String] {
        reader.tensors.compactMap { $0.name.hasSuffix(".input") ? String($0.name.dropLast(6)) : nil }.sorted()
    }

    func shape(_ name: String) -> [Int]? { reader.info(name)?.shape }

    /// The file's `__metadata__` entries.
    var stringMetadata: [String: String] {
        var m: [String: String] = [:]
        for (k, v) in reader.metadata.entries { if let s = v.stringValue { m[k] = s } }
        return m
    }

    func bytes(_ name: String) -> [UInt8]? {
        guard reader.info(name) != nil else { return nil }
        return try? reader.withBytes(of: name) { Array($0) }
    }

    func floats(_ name: String) -> [Float]? {
        guard let info = reader.info(name), info.type == .f32 else { return nil }
        return try? reader.withBytes(of: name) { raw in
            var out = [Float](repeating: 0, count: raw.count / 4)
            out.withUnsafeMutableBufferPointer { _ = ElementConversion.toFloat(.f32, raw.baseAddress!, $0.baseAddress!, count: raw.count / 4) }
            return out
        }
    }
}
