import IngotCore

/// A gguf-split set (`{stem}-00001-of-0000N.gguf` … `{stem}-0000N-of-0000N.gguf`, written by llama.cpp's
/// `gguf-split` or `GGUFSplitWriter`) read as one `TensorSource`: metadata from the first file (the shards
/// carry only `split.*`), tensors of every shard in shard order.
///
/// The set is opened from its first file, as llama.cpp loads it. Checks: the first file is named `*-00001-of-0000N.gguf`
/// and has `split.no` 0; shard k has `split.no` k−1; no tensor appears in two shards (the error names the later
/// shard); the shards together hold `split.tensors.count` tensors when the key is present.
public final class GGUFSplitSet: TensorSource {
    public let formatName = "gguf"
    /// The first file.
    public var path: String { shards[0].path }
    /// The first file's metadata.
    public var metadata: Metadata { shards[0].metadata }
    public let tensors: [TensorInfo]
    /// The shards in order; the first holds the set's metadata.
    public let shards: [GGUFReader]
    private let lookup: [String: (shard: Int, tensor: Int)]

    /// Opens `path`: the whole set when it is the first file of one (`split.count` > 1), else just the file
    /// (a plain `GGUFReader`). A later file of a set is refused ("pass the first file") unless `laterShardAlone`,
    /// which opens it as the file it is.
    public static func open(_ path: String, laterShardAlone: Bool = false) throws -> any TensorSource {
        let first = try GGUFReader(path: path)
        guard let count = first.metadata["split.count"]?.intValue, count > 1 else { return first }
        if laterShardAlone, let no = first.metadata["split.no"]?.intValue, no != 0 { return first }
        return try GGUFSplitSet(first: first, count: count)
    }

    /// The set whose first file is `first` (`split.count` = `count`).
    init(first: GGUFReader, count: Int) throws {
        let no = first.metadata["split.no"]?.intValue ?? 0
        let suffix = "-" + GGUFSplitWriter.pad5(1) + "-of-" + GGUFSplitWriter.pad5(count) + ".gguf"
        guard no == 0 else {
            throw GGUFError.badSplit(path: first.path, reason: "shard \(no + 1) of a \(count)-file split GGUF; pass the first file (…\(suffix))")
        }
        guard first.path.hasSuffix(suffix) else {
            throw GGUFError.badSplit(path: first.path, reason: "first file of a \(count)-file GGUF split set, but not named *\(suffix)")
        }
        let stem = String(first.path.dropLast(suffix.count)) + ".gguf"
        var shards = [first]
        for i in 1..<count {
            let g = try GGUFReader(path: GGUFSplitWriter.shardPath(stem, index: i, count: count))
            guard g.metadata["split.no"]?.intValue == i else {
                let found = g.metadata["split.no"]?.intValue.map(String.init) ?? "missing"
                throw GGUFError.badSplit(path: g.path, reason: "split.no is \(found), expected \(i) in this shard")
            }
            shards.append(g)
        }
        var all: [TensorInfo] = []
        var lookup: [String: (shard: Int, tensor: Int)] = [:]
        for (si, g) in shards.enumerated() {
            for (ti, t) in g.tensors.enumerated() {
                // A name in two shards would be read twice or silently shadowed: refuse it, naming the shard.
                guard lookup[t.name] == nil else {
                    throw GGUFError.badSplit(path: g.path, reason: "tensor '\(t.name)' also appears in an earlier shard of the split set")
                }
                lookup[t.name] = (si, ti)
                all.append(t)
            }
        }
        if let total = first.metadata["split.tensors.count"]?.intValue, total != all.count {
            throw GGUFError.badSplit(path: first.path, reason: "split.tensors.count is \(total) but the \(count) files hold \(all.count) tensors")
        }
        self.shards = shards
        self.tensors = all
        self.lookup = lookup
    }

    public var filePaths: [String] { shards.map(\.path) }

    public func info(_ name: String) -> TensorInfo? { lookup[name].map { shards[$0.shard].tensors[$0.tensor] } }

    public func location(of name: String) -> TensorLocation? {
        lookup[name].flatMap { shards[$0.shard].location(of: name) }
    }

    public func release(_ name: String) {
        if let l = lookup[name] { shards[l.shard].release(name) }
    }

    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let l = lookup[name] else { throw IngotFailure("\(path): no tensor named '\(name)' in the split set") }
        return try shards[l.shard].withBytes(of: name, body)
    }
}

/// The GGUF header facts `inspect` shows, for a single file or a split set (whose first file they describe).
public protocol GGUFLayout {
    /// 2 or 3.
    var version: UInt32 { get }
    /// `general.alignment`, or 32.
    var alignment: Int { get }
    /// Absolute offset of the (first) file's data section.
    var dataOffset: Int { get }
}

extension GGUFReader: GGUFLayout {}

extension GGUFSplitSet: GGUFLayout {
    public var version: UInt32 { shards[0].version }
    public var alignment: Int { shards[0].alignment }
    public var dataOffset: Int { shards[0].dataOffset }
}
