import Foundation
import IngotCore

/// One memory-mapped safetensors file with its validated header.
public final class SafetensorsFile {
    public let file: MappedFile
    public let header: SafetensorsHeader
    public var path: String { file.path }

    /// Maps and validates `path`.
    public init(path: String) throws {
        file = try MappedFile(path: path)
        header = try SafetensorsHeader(file: file.bytes, path: path)
    }

    /// The bytes of `info` (one of `header.tensors`), zero-copy.
    public func bytes(of info: TensorInfo) -> UnsafeRawBufferPointer {
        let start = header.dataStart + info.offset
        return UnsafeRawBufferPointer(rebasing: file.bytes[start..<(start + info.byteCount)])
    }
}

/// A safetensors checkpoint: one file, a directory, or shards listed by `model.safetensors.index.json`.
///
/// Headers are validated on open; data stays memory-mapped and is handed out without copying. Tensors are listed
/// shard by shard (shards in file-name order), in data-offset order within each, so reading them in order
/// walks each file front to back. `TensorInfo.offset` is relative to its own shard's data buffer;
/// `location(of:)` gives the file and absolute offset.
public final class SafetensorsReader: TensorSource {
    public let formatName = "safetensors"
    /// The path opened: a file, an index.json, or a directory.
    public let path: String
    /// `__metadata__` of the first shard, as `.string` values.
    public let metadata: Metadata
    public let tensors: [TensorInfo]
    /// The shards in order (one for a single file).
    public let files: [SafetensorsFile]
    /// The index file when the checkpoint is sharded.
    public let indexPath: String?
    /// The index's `metadata` object (`total_size`, …), when sharded.
    public let indexMetadata: JSONObject?

    private let lookup: [String: (file: Int, tensor: Int)]
    /// Position of each tensor in `tensors`, per file then per tensor.
    private let firstTensor: [Int]

    /// Opens a `.safetensors` file, a `*.safetensors.index.json`, or a directory holding either.
    public init(path: String) throws {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FileError(path: path, operation: "open", message: "no such file or directory")
        }
        var shardPaths: [String]
        var index: (path: String, weightMap: [(key: String, value: String)], metadata: JSONObject?)? = nil
        if isDir.boolValue {
            let found = try SafetensorsReader.locate(directory: path)
            if let idx = found.index {
                index = try SafetensorsReader.readIndex(idx)
                shardPaths = []
            } else {
                shardPaths = [found.file!]
            }
        } else if path.hasSuffix(".json") {
            index = try SafetensorsReader.readIndex(path)
            shardPaths = []
        } else {
            shardPaths = [path]
        }
        if let index {
            let dir = (index.path as NSString).deletingLastPathComponent
            var names: [String] = []
            var seen = Set<String>()
            for (tensor, shard) in index.weightMap where !seen.contains(shard) {
                seen.insert(shard)
                let p = dir.isEmpty ? shard : dir + "/" + shard
                guard FileManager.default.fileExists(atPath: p) else {
                    throw SafetensorsError.missingShard(index: index.path, shard: shard, tensor: tensor)
                }
                names.append(shard)
            }
            shardPaths = names.sorted().map { dir.isEmpty ? $0 : dir + "/" + $0 }
        }

        let files = try shardPaths.map { try SafetensorsFile(path: $0) }
        var lookup: [String: (file: Int, tensor: Int)] = [:]
        var all: [TensorInfo] = []
        var first: [Int] = []
        for (fi, f) in files.enumerated() {
            first.append(all.count)
            for (ti, t) in f.header.tensors.enumerated() {
                if let prev = lookup[t.name] {
                    throw SafetensorsError.tensorInTwoShards(tensor: t.name, first: files[prev.file].path, second: f.path)
                }
                lookup[t.name] = (fi, ti)
                all.append(t)
            }
        }
        if let index {
            // Every mapped tensor must be in its shard, and every shard tensor must be mapped there.
            var mapped: [String: String] = [:]
            for (tensor, shard) in index.weightMap {
                mapped[tensor] = shard
                let shardName = (shard as NSString).lastPathComponent
                guard let loc = lookup[tensor],
                      (files[loc.file].path as NSString).lastPathComponent == shardName else {
                    throw SafetensorsError.tensorNotInShard(index: index.path, tensor: tensor, shard: shard)
                }
            }
            for f in files {
                let name = (f.path as NSString).lastPathComponent
                for t in f.header.tensors {
                    guard let s = mapped[t.name], (s as NSString).lastPathComponent == name else {
                        throw SafetensorsError.tensorNotInIndex(index: index.path, tensor: t.name, shard: name)
                    }
                }
            }
            try SafetensorsReader.checkUnlistedShards(index: index.path, listed: Set(shardPaths.map { ($0 as NSString).lastPathComponent }))
        }

        var md = Metadata()
        for (k, v) in files.first?.header.metadata ?? [] { md.append(k, .string(v)) }
        metadata = md
        tensors = all
        self.files = files
        self.lookup = lookup
        firstTensor = first
        indexPath = index?.path
        indexMetadata = index?.metadata
    }

    /// A directory (a checkpoint; `locate(directory:)` says what it lacks), a file whose 8-byte little-endian
    /// header length is followed by `{` (after optional whitespace, which serde accepts), or a JSON file with a
    /// `weight_map` (an index). The length itself is the reader's to check, so a bad one gets its precise error.
    public static func recognises(_ head: FileHead) -> Bool {
        if head.isDirectory { return true }
        let b = head.bytes
        if b.count >= 9 {
            var i = 8
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
            let n = b.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if n > 0, i < b.count, b[i] == UInt8(ascii: "{") { return true }
        }
        if head.path.hasSuffix(".json"), head.size > 0, let v = try? JSON.parseFile(head.path), v["weight_map"] != nil {
            return true
        }
        return false
    }

    /// Where a checkpoint lives in `directory`: the index if there is one, else `model.safetensors`, else the only
    /// `.safetensors` file.
    static func locate(directory: String) throws -> (index: String?, file: String?) {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        if entries.contains("model.safetensors.index.json") {
            return (directory + "/model.safetensors.index.json", nil)
        }
        let indexes = entries.filter { $0.hasSuffix(".safetensors.index.json") }
        if indexes.count == 1 { return (directory + "/" + indexes[0], nil) }
        if entries.contains("model.safetensors") { return (nil, directory + "/model.safetensors") }
        let files = entries.filter { $0.hasSuffix(".safetensors") }
        if files.count == 1 { return (nil, directory + "/" + files[0]) }
        if files.isEmpty {
            throw SafetensorsError.noCheckpoint(path: directory, reason: "directory holds no .safetensors file")
        }
        throw SafetensorsError.noCheckpoint(
            path: directory,
            reason: "directory holds \(files.count) .safetensors files (\(files.prefix(4).joined(separator: ", "))) and no model.safetensors.index.json")
    }

    /// A shard file beside the index, named like its siblings (`model-00002-of-00003.safetensors`) but not in the
    /// weight_map, holds tensors the index does not list: reject it rather than silently drop them.
    static func checkUnlistedShards(index: String, listed: Set<String>) throws {
        let dir = (index as NSString).deletingLastPathComponent
        let indexName = (index as NSString).lastPathComponent
        guard indexName.hasSuffix(".safetensors.index.json") else { return }
        let stem = String(indexName.dropLast(".safetensors.index.json".count))
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir)) ?? []
        for name in entries.sorted() where !listed.contains(name) && isShardName(name, stem: stem) {
            let f = try SafetensorsFile(path: dir.isEmpty ? name : dir + "/" + name)
            if let t = f.header.tensors.first {
                throw SafetensorsError.tensorNotInIndex(index: index, tensor: t.name, shard: name)
            }
        }
    }

    /// `{stem}-NNNNN-of-NNNNN.safetensors`.
    static func isShardName(_ name: String, stem: String) -> Bool {
        guard name.hasPrefix(stem + "-"), name.hasSuffix(".safetensors") else { return false }
        let middle = name.dropFirst(stem.count + 1).dropLast(".safetensors".count)
        let parts = middle.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[1] == "of" && parts[0].count == 5 && parts[2].count == 5
            && parts[0].allSatisfy(\.isASCII) && parts[0].allSatisfy(\.isNumber) && parts[2].allSatisfy(\.isNumber)
    }

    /// Reads `{"metadata": {...}, "weight_map": {tensor: file}}`.
    static func readIndex(_ path: String) throws
        -> (path: String, weightMap: [(key: String, value: String)], metadata: JSONObject?) {
        let json: JSONValue
        do { json = try JSON.parseFile(path) } catch let e as JSONError {
            throw SafetensorsError.invalidIndex(path: path, reason: "not valid JSON: \(e.description)")
        }
        guard let map = json["weight_map"]?.object else {
            throw SafetensorsError.invalidIndex(path: path, reason: "missing object 'weight_map'")
        }
        var weightMap: [(key: String, value: String)] = []
        for (tensor, file) in map.entries {
            guard let f = file.string, !f.isEmpty, !f.contains("/"), f != "..", f != "." else {
                throw SafetensorsError.invalidIndex(
                    path: path, reason: "weight_map entry '\(tensor)' must name a file in the same directory, found \(file.serialized())")
            }
            weightMap.append((tensor, f))
        }
        if let md = json["metadata"], !md.isNull, md.object == nil {
            throw SafetensorsError.invalidIndex(path: path, reason: "'metadata' must be an object")
        }
        return (path, weightMap, json["metadata"]?.object)
    }

    /// The shard file and absolute byte offset of tensor `name`.
    public func location(of name: String) -> TensorLocation? {
        guard let loc = lookup[name] else { return nil }
        let f = files[loc.file]
        return TensorLocation(path: f.path, offset: f.header.dataStart + f.header.tensors[loc.tensor].offset)
    }

    /// The shard paths, in order.
    public var filePaths: [String] { files.map(\.path) }

    public func release(_ name: String) {
        guard let loc = lookup[name] else { return }
        let f = files[loc.file]
        let t = f.header.tensors[loc.tensor]
        f.file.release(offset: f.header.dataStart + t.offset, count: t.byteCount)
    }

    public func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let loc = lookup[name] else {
            throw IngotFailure("\(path): no tensor named '\(name)'")
        }
        let f = files[loc.file]
        return try body(f.bytes(of: f.header.tensors[loc.tensor]))
    }

    /// The info of `name` (O(1)).
    public func info(_ name: String) -> TensorInfo? {
        guard let loc = lookup[name] else { return nil }
        return tensors[firstTensor[loc.file] + loc.tensor]
    }
}
