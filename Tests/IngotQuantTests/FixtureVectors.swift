import Foundation
import IngotCore

/// A throwaway safetensors reader for the ggml vectors (only U8 and F32 tensors, whole file in memory).
/// To be replaced by IngotFormats' reader once it lands on main.
struct FixtureVectors {
    struct Entry { let dtype: String; let shape: [Int]; let range: Range<Int> }
    let data: [UInt8]
    let entries: [String: Entry]
    let headerEnd: Int

    static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/vectors/ggml-quant-vectors.safetensors")

    static let shared: FixtureVectors = try! FixtureVectors(url: url)

    init(url: URL) throws {
        data = [UInt8](try Data(contentsOf: url))
        var n = 0
        for i in 0..<8 { n |= Int(data[i]) << (8 * i) }
        headerEnd = 8 + n
        let json = try JSONSerialization.jsonObject(with: Data(data[8..<headerEnd])) as! [String: Any]
        var e: [String: Entry] = [:]
        for (k, v) in json where k != "__metadata__" {
            let d = v as! [String: Any]
            let offs = d["data_offsets"] as! [Int]
            e[k] = Entry(dtype: d["dtype"] as! String, shape: d["shape"] as! [Int],
                         range: (headerEnd + offs[0])..<(headerEnd + offs[1]))
        }
        entries = e
    }

    var cases: [String] {
        Set(entries.keys.compactMap { $0.hasSuffix(".input") ? String($0.dropLast(6)) : nil }).sorted()
    }

    func shape(_ name: String) -> [Int]? { entries[name]?.shape }

    func bytes(_ name: String) -> [UInt8]? {
        guard let e = entries[name] else { return nil }
        return Array(data[e.range])
    }

    func floats(_ name: String) -> [Float]? {
        guard let e = entries[name], e.dtype == "F32" else { return nil }
        return data[e.range].withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }
}
