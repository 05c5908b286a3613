import Foundation
import IngotCore

/// Writes a safetensors file, or shards plus `model.safetensors.index.json`, in two phases:
/// `declare` every tensor (the header is computed from the declarations), then `write` each tensor's bytes in
/// declaration order. Memory holds one tensor at a time; output goes through `AtomicOutputFile`, so nothing
/// appears under the final names until `finish()`.
///
/// Layout matches the Rust library: `__metadata__` first in the header, tensors back to back in the order
/// declared, header padded with spaces to a multiple of 8 bytes so the data buffer is 8-aligned.
/// With `maxShardSize`, tensors fill shards greedily the way Hugging Face splits (a new shard starts when the
/// next tensor would pass the limit; a tensor larger than the limit gets a shard of its own), named
/// `{stem}-00001-of-0000N.safetensors` beside an index `{stem}.safetensors.index.json` with
/// `metadata.total_size` (data bytes), `metadata.total_parameters` and a sorted `weight_map`.
public final class SafetensorsWriter: TensorSink {
    /// The path asked for (`dir/model.safetensors`); shards are named from its stem.
    public let path: String
    public let metadata: [(key: String, value: String)]
    public let maxShardSize: Int?
    private let protectedInputs: [String]

    private var declared: [TensorInfo] = []
    private var names = Set<String>()
    private var shards: [Shard] = []
    private var planned = false
    private var next = 0
    private var outputs: [AtomicOutputFile] = []
    private var finished = false

    struct Shard {
        var path: String
        var range: Range<Int>
        var header: [UInt8]
    }

    /// Prepares to write `path`. `metadata` becomes `__metadata__` (omitted when empty).
    public init(path: String, metadata: [(key: String, value: String)] = [], maxShardSize: Int? = nil,
                protectedInputs: [String] = []) throws {
        if let m = maxShardSize, m <= 0 {
            throw SafetensorsError.writeMisuse(path: path, reason: "maximum shard size must be positive, got \(m)")
        }
        self.path = path
        self.metadata = metadata
        self.maxShardSize = maxShardSize
        self.protectedInputs = protectedInputs
    }

    /// The files written (or to be written): shards, then the index when there is more than one shard.
    public var outputPaths: [String] {
        let paths = shards.map(\.path)
        return paths.count > 1 ? paths + [indexPath] : paths
    }

    /// Where the index goes when the output is sharded.
    public var indexPath: String { stemPath + ".safetensors.index.json" }

    private var stemPath: String {
        path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) : path
    }

    // MARK: - Phase 1

    /// Declares the next tensor. Its byte count is recomputed from type and shape; `offset` is ignored.
    public func declare(_ info: TensorInfo) throws {
        guard !planned else {
            throw SafetensorsError.writeMisuse(path: path, reason: "tensor '\(info.name)' declared after data writing began")
        }
        guard !info.name.isEmpty, info.name != "__metadata__" else {
            throw SafetensorsError.writeMisuse(path: path, reason: "invalid tensor name '\(info.name)'")
        }
        guard names.insert(info.name).inserted else {
            throw SafetensorsError.duplicateTensor(path: path, tensor: info.name)
        }
        guard let dtype = info.type.safetensorsName else {
            throw SafetensorsError.unsupportedDType(path: path, tensor: info.name, dtype: info.type.displayName)
        }
        let bytes = try info.type.byteCount(shape: info.shape)
        guard bytes == info.byteCount else {
            throw SafetensorsError.sizeMismatch(path: path, tensor: info.name, shape: info.shape, dtype: dtype,
                                                expectedBytes: bytes, begin: 0, end: info.byteCount)
        }
        var t = info
        t.offset = 0
        declared.append(t)
    }

    /// Computes shards and headers; called by the first `write` (or `finish`).
    private func plan() throws {
        guard !planned else { return }
        planned = true
        var ranges: [Range<Int>] = []
        var start = 0, size = 0
        for (i, t) in declared.enumerated() {
            if let limit = maxShardSize, i > start, size + t.byteCount > limit || t.byteCount > limit {
                ranges.append(start..<i)
                start = i
                size = 0
            }
            size += t.byteCount
        }
        ranges.append(start..<declared.count)
        let n = ranges.count
        let dir = (stemPath as NSString).deletingLastPathComponent
        let stem = (stemPath as NSString).lastPathComponent
        shards = ranges.enumerated().map { k, r in
            let name = n == 1 ? stem + ".safetensors" : stem + String(format: "-%05d-of-%05d.safetensors", k + 1, n)
            return Shard(path: dir.isEmpty ? name : dir + "/" + name, range: r, header: [])
        }
        for k in shards.indices {
            shards[k].header = try header(for: shards[k].range)
        }
    }

    /// `u64 N` + the JSON header padded with spaces to a multiple of 8.
    func header(for range: Range<Int>) throws -> [UInt8] {
        var entries: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            entries.append(("__metadata__", .object(JSONObject(metadata.map { ($0.key, JSONValue.string($0.value)) }))))
        }
        var offset = 0
        for t in declared[range] {
            let end = offset + t.byteCount
            entries.append((t.name, .object(JSONObject([
                ("dtype", .string(t.type.safetensorsName!)),
                ("shape", .array(t.shape.map { .int($0) })),
                ("data_offsets", .array([.int(offset), .int(end)])),
            ]))))
            offset = end
        }
        var json = Array(JSONValue.object(JSONObject(entries)).serialized().utf8)
        json.append(contentsOf: repeatElement(0x20, count: (8 - json.count % 8) % 8))
        guard UInt64(json.count) <= SafetensorsHeader.maxHeaderLength else {
            throw SafetensorsError.headerTooLarge(path: path, length: UInt64(json.count))
        }
        var w = ByteWriter(reservingCapacity: json.count + 8)
        w.u64(UInt64(json.count))
        w.raw(json)
        return w.bytes
    }

    // MARK: - Phase 2

    /// Writes the bytes of the next declared tensor (`bytes.count` must equal its declared byte count).
    public func write(_ name: String, bytes: UnsafeRawBufferPointer) throws {
        try plan()
        guard !finished, next < declared.count else {
            throw SafetensorsError.writeMisuse(path: path, reason: "tensor '\(name)' written but every declared tensor is done")
        }
        let t = declared[next]
        guard t.name == name else {
            throw SafetensorsError.writeMisuse(path: path, reason: "tensor '\(name)' written out of order; expected '\(t.name)'")
        }
        guard bytes.count == t.byteCount else {
            throw SafetensorsError.writeMisuse(
                path: path, reason: "tensor '\(name)' was declared with \(t.byteCount) bytes but \(bytes.count) were written")
        }
        let out = try output(forTensor: next)
        try out.write(bytes)
        next += 1
    }

    /// The open output of the shard holding tensor `i`, opening (and writing the header of) a new shard.
    private func output(forTensor i: Int) throws -> AtomicOutputFile {
        let k = shards.firstIndex { $0.range.contains(i) }!
        while outputs.count <= k {
            let s = shards[outputs.count]
            let f = try AtomicOutputFile(path: s.path, protectedInputs: protectedInputs)
            try f.write(s.header)
            outputs.append(f)
        }
        return outputs[k]
    }

    /// Checks every tensor was written, writes the index when sharded, and moves every file into place.
    public func finish() throws {
        try plan()
        guard !finished else { return }
        guard next == declared.count else {
            throw SafetensorsError.writeMisuse(path: path, reason: "finished after \(next) of \(declared.count) tensors; next expected '\(declared[next].name)'")
        }
        // An empty checkpoint is still one valid file.
        while outputs.count < shards.count {
            let s = shards[outputs.count]
            let f = try AtomicOutputFile(path: s.path, protectedInputs: protectedInputs)
            try f.write(s.header)
            outputs.append(f)
        }
        if shards.count > 1 {
            let f = try AtomicOutputFile(path: indexPath, protectedInputs: protectedInputs)
            try f.write(Array(indexJSON().utf8))
            outputs.append(f)
        }
        for o in outputs { try o.commit() }
        finished = true
    }

    /// The index as transformers writes it: `json.dumps(indent=2, sort_keys=True)` plus a newline.
    func indexJSON() -> String {
        var map: [(key: String, value: JSONValue)] = []
        for s in shards {
            let file = (s.path as NSString).lastPathComponent
            for t in declared[s.range] { map.append((t.name, .string(file))) }
        }
        let total = declared.reduce(0) { $0 + $1.byteCount }
        let params = declared.reduce(0) { $0 + $1.elementCount }
        let index: JSONValue = .object(JSONObject([
            ("metadata", .object(JSONObject([("total_parameters", .int(params)), ("total_size", .int(total))]))),
            ("weight_map", .object(JSONObject(map))),
        ]))
        return index.serialized(pretty: true, sortedKeys: true) + "\n"
    }

    /// Removes every partial output.
    public func abandon() {
        for o in outputs { o.abandon() }
        outputs = []
        finished = true
    }

    deinit { if !finished { abandon() } }
}
