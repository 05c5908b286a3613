import IngotCore

/// Writes a model as several GGUF files the way llama.cpp's `gguf-split` does:
/// `{stem}-00001-of-0000N.gguf`, the first carrying all metadata, every one carrying `split.no` (UINT16,
/// 0-based), `split.count` (UINT16) and `split.tensors.count` (INT32, the total over all shards).
/// llama.cpp loads the set from the first file.
///
/// A new shard starts when the current one holds `maxTensors` tensors, or when adding the next tensor would
/// pass `maxBytes` (a tensor larger than `maxBytes` gets a shard of its own). Same two phases as `GGUFWriter`.
public final class GGUFSplitWriter: TensorSink {
    public let path: String
    public let metadata: Metadata
    public let maxTensors: Int?
    public let maxBytes: Int?
    private let protectedInputs: [String]
    private var declared: [TensorInfo] = []
    private var writers: [GGUFWriter] = []
    private var shardOf: [String: Int] = [:]
    private var planned = false

    /// `path` names the set (`out/model.gguf` → `out/model-00001-of-00003.gguf`, …).
    public init(path: String, metadata: Metadata, maxTensors: Int? = nil, maxBytes: Int? = nil,
                protectedInputs: [String] = []) throws {
        if let m = maxTensors, m <= 0 { throw GGUFError.writeMisuse(path: path, reason: "maximum tensors per shard must be positive") }
        if let m = maxBytes, m <= 0 { throw GGUFError.writeMisuse(path: path, reason: "maximum shard size must be positive") }
        for k in ["split.no", "split.count", "split.tensors.count"] where metadata.contains(k) {
            throw GGUFError.writeMisuse(path: path, reason: "metadata already has '\(k)'; the split writer sets it")
        }
        self.path = path
        self.metadata = metadata
        self.maxTensors = maxTensors
        self.maxBytes = maxBytes
        self.protectedInputs = protectedInputs
    }

    /// The shard paths (known after the first `write` or `finish`).
    public var outputPaths: [String] { writers.map(\.path) }

    /// Name of shard `index` (0-based) of `count`.
    public static func shardPath(_ path: String, index: Int, count: Int) -> String {
        let stem = path.hasSuffix(".gguf") ? String(path.dropLast(5)) : path
        return stem + "-" + pad5(index + 1) + "-of-" + pad5(count) + ".gguf"
    }

    static func pad5(_ n: Int) -> String {
        let s = String(n)
        return s.count >= 5 ? s : String(repeating: "0", count: 5 - s.count) + s
    }

    public func declare(_ info: TensorInfo) throws {
        guard !planned else { throw GGUFError.writeMisuse(path: path, reason: "tensor '\(info.name)' declared after data writing began") }
        guard shardOf[info.name] == nil else { throw GGUFError.duplicateTensor(path: path, name: info.name, offset: 0) }
        shardOf[info.name] = -1
        declared.append(info)
    }

    private func plan() throws {
        guard !planned else { return }
        planned = true
        var ranges: [Range<Int>] = []
        var start = 0, size = 0
        for (i, t) in declared.enumerated() {
            let full = maxTensors.map { i - start >= $0 } ?? false
            let big = maxBytes.map { size + t.byteCount > $0 } ?? false
            if i > start, full || big {
                ranges.append(start..<i)
                start = i
                size = 0
            }
            size += t.byteCount
        }
        ranges.append(start..<declared.count)
        guard ranges.count <= Int(UInt16.max), declared.count <= Int(Int32.max) else {
            throw GGUFError.writeMisuse(path: path, reason: "\(ranges.count) shards exceed the UINT16 split.count")
        }
        for (k, r) in ranges.enumerated() {
            var md = k == 0 ? metadata : Metadata()
            md.append("split.no", .uint16(UInt16(k)))
            md.append("split.count", .uint16(UInt16(ranges.count)))
            md.append("split.tensors.count", .int32(Int32(declared.count)))
            if k > 0, let a = metadata["general.alignment"] { md.append("general.alignment", a) }
            let w = try GGUFWriter(path: GGUFSplitWriter.shardPath(path, index: k, count: ranges.count), metadata: md,
                                   protectedInputs: protectedInputs)
            for t in declared[r] {
                try w.declare(t)
                shardOf[t.name] = k
            }
            writers.append(w)
        }
    }

    public func write(_ name: String, bytes: UnsafeRawBufferPointer) throws {
        try plan()
        guard let k = shardOf[name], k >= 0 else {
            throw GGUFError.writeMisuse(path: path, reason: "tensor '\(name)' was never declared")
        }
        try writers[k].write(name, bytes: bytes)
    }

    /// Finishes every shard (each checks all its tensors were written), first to last.
    public func finish() throws {
        try plan()
        for w in writers { try w.finish() }
    }

    public func abandon() {
        for w in writers { w.abandon() }
    }
}
