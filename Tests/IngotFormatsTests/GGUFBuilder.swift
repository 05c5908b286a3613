import IngotCore
@testable import IngotFormats

/// Builds GGUF bytes field by field so tests can break any one of them.
struct GGUFBuilder {
    var magic: [UInt8] = [0x47, 0x47, 0x55, 0x46]
    var version: UInt32 = 3
    var tensorCount: UInt64? = nil
    var kvCount: UInt64? = nil
    /// Raw key/value records.
    var kvs: [[UInt8]] = []
    /// Raw tensor-info records.
    var infos: [[UInt8]] = []
    var alignment = 32
    var data: [UInt8] = []
    /// Skip the padding between the infos and the data.
    var padHeader = true

    static func string(_ s: String) -> [UInt8] { raw(Array(s.utf8)) }
    static func raw(_ b: [UInt8]) -> [UInt8] {
        var w = ByteWriter()
        w.u64(UInt64(b.count))
        w.raw(b)
        return w.bytes
    }

    mutating func kv(_ key: String, _ value: MetadataValue) {
        var w = ByteWriter()
        w.raw(GGUFBuilder.string(key))
        w.u32(value.type.rawValue)
        GGUFWriter.value(&w, value)
        kvs.append(w.bytes)
    }

    /// A raw key/value: key bytes, type id, payload bytes.
    mutating func kvRaw(key: [UInt8], type: Int32, payload: [UInt8]) {
        var w = ByteWriter()
        w.raw(GGUFBuilder.raw(key))
        w.i32(type)
        w.raw(payload)
        kvs.append(w.bytes)
    }

    mutating func tensor(_ name: String, ne: [Int64], type: Int32, offset: UInt64) {
        tensorRaw(name: Array(name.utf8), ne: ne, type: type, offset: offset)
    }

    mutating func tensorRaw(name: [UInt8], ne: [Int64], type: Int32, offset: UInt64, nDims: UInt32? = nil) {
        var w = ByteWriter()
        w.raw(GGUFBuilder.raw(name))
        w.u32(nDims ?? UInt32(ne.count))
        for d in ne { w.i64(d) }
        w.i32(type)
        w.u64(offset)
        infos.append(w.bytes)
    }

    var bytes: [UInt8] {
        var w = ByteWriter()
        w.raw(magic)
        w.u32(version)
        w.u64(tensorCount ?? UInt64(infos.count))
        w.u64(kvCount ?? UInt64(kvs.count))
        for k in kvs { w.raw(k) }
        for i in infos { w.raw(i) }
        if padHeader { w.pad(to: alignment) }
        w.raw(data)
        return w.bytes
    }

    /// A small valid file: two keys, two F32 tensors of 4 and 3 elements.
    static func valid() -> GGUFBuilder {
        var b = GGUFBuilder()
        b.kv("general.architecture", .string("llama"))
        b.kv("llama.block_count", .uint32(1))
        b.tensor("a", ne: [4], type: 0, offset: 0)
        b.tensor("b", ne: [3], type: 0, offset: 32)
        b.data = [UInt8](repeating: 1, count: 16) + [UInt8](repeating: 0, count: 16) + [UInt8](repeating: 2, count: 12)
        return b
    }
}
