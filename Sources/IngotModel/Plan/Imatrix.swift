import IngotCore
import IngotFormats

/// An importance matrix as llama-quantize uses it (tools/quantize/quantize.cpp `load_imatrix`,
/// common/imatrix-loader.cpp; shared/docs/gguf-and-quants.md §6): per weight tensor, one importance value per input
/// column, per expert for 3-D expert tensors.
///
/// Read from llama-imatrix's GGUF (`<name>.in_sum2` / `<name>.counts`, `imatrix.*` keys) or its legacy `.dat`.
public struct ImportanceMatrix: Sendable {
    /// Which file layout it came from.
    public enum Format: String, Sendable { case gguf = "gguf", legacyDat = "dat" }

    /// One weight's statistics.
    public struct Entry: Equatable, Sendable {
        /// The weight's GGUF name (`blk.0.ffn_down_exps.weight`).
        public let name: String
        /// The raw sums as stored: Σ x² per column and matrix (GGUF), or the legacy file's pre-divided values.
        public let sums: [Float]
        /// Token counts per matrix, `lround`ed from the file's F32 (GGUF); `[ncall]` for a legacy entry.
        public let counts: [Int]
        /// What llama-quantize passes to the quantizer: for GGUF, `sums / count` per matrix (1 where the count is 0);
        /// for `.dat`, `value / ncall` (the stored values when ncall ≤ 0). `matrixCount × rowLength` floats.
        public let values: [Float]

        /// Number of matrices (experts) the GGUF entry covers; 1 for legacy entries (their length tells).
        public var matrixCount: Int { counts.count }

        /// The importance row for matrix (expert) `index` of a tensor whose rows are `rowLength` long.
        public func row(_ index: Int, rowLength: Int) -> ArraySlice<Float> {
            values[(index * rowLength)..<((index + 1) * rowLength)]
        }
    }

    /// Where it was read from.
    public var path: String
    /// File layout.
    public var format: Format
    /// SHA-256 of the whole file, lower-case hex (for provenance metadata).
    public var sha256: String
    /// Entries by weight name.
    public var entries: [String: Entry]
    /// `imatrix.datasets` (GGUF) or the legacy trailer's dataset file name; may be empty for legacy files.
    public var datasets: [String]
    /// `imatrix.chunk_count`, or the legacy trailer's chunk count (0 when absent).
    public var chunkCount: Int
    /// `imatrix.chunk_size` (0 for legacy files).
    public var chunkSize: Int

    public init(path: String, format: Format, sha256: String, entries: [String: Entry], datasets: [String],
                chunkCount: Int, chunkSize: Int) {
        self.path = path
        self.format = format
        self.sha256 = sha256
        self.entries = entries
        self.datasets = datasets
        self.chunkCount = chunkCount
        self.chunkSize = chunkSize
    }

    /// Entry names, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The importance values llama-quantize would use for `tensor` (`ne0 × ne2` floats: one row per expert),
    /// or nil when the file has no entry for it (llama-quantize then quantizes without one and says so).
    ///
    /// A size mismatch is an error naming the file and tensor, except for token_embd, which llama-quantize
    /// quietly quantizes without importance (its entry, when present, never matches).
    public func importance(for tensor: TensorInfo) throws -> [Float]? {
        guard let e = entries[tensor.name] else { return nil }
        let ne = Array(tensor.shape.reversed())
        let ne0 = ne.first ?? 1
        let ne2 = ne.count > 2 ? ne[2] : 1
        let (want, overflow) = ne0.multipliedReportingOverflow(by: ne2)
        if overflow || e.values.count != want {
            if tensor.name == "token_embd.weight" || tensor.name == "per_layer_token_embd.weight" { return nil }
            throw ImatrixError.sizeMismatch(path: path, tensor: tensor.name, values: e.values.count,
                                            rowLength: ne0, matrices: ne2)
        }
        return e.values
    }

    /// `--include-weights` / `--exclude-weights`: keeps the entries whose name contains one of `include`
    /// (all when empty), then drops those containing one of `exclude`, as llama-quantize's `prepare_imatrix`.
    public func filtered(include: [String] = [], exclude: [String] = []) -> ImportanceMatrix {
        var copy = self
        copy.entries = entries.filter { name, _ in
            (include.isEmpty || include.contains { name.contains($0) }) && !exclude.contains { name.contains($0) }
        }
        return copy
    }

    /// The keys llama-quantize adds when quantizing with this matrix, in its order: `quantize.imatrix.file`,
    /// `.dataset` (first dataset, when any), `.entries_count` and `.chunks_count` (when > 0). Strings are cut to
    /// 127 bytes and integers stored as u32, as its KV overrides are. `file` is the path as the user gave it.
    public func quantizeMetadata(file: String) -> [(key: String, value: MetadataValue)] {
        func cut(_ s: String) -> String {
            let bytes = Array(s.utf8.prefix(127))
            return String(decoding: bytes, as: UTF8.self)
        }
        var kv: [(key: String, value: MetadataValue)] = [("quantize.imatrix.file", .string(cut(file)))]
        if let first = datasets.first { kv.append(("quantize.imatrix.dataset", .string(cut(first)))) }
        kv.append(("quantize.imatrix.entries_count", .uint32(UInt32(truncatingIfNeeded: entries.count))))
        if chunkCount > 0 { kv.append(("quantize.imatrix.chunks_count", .uint32(UInt32(truncatingIfNeeded: chunkCount)))) }
        return kv
    }

    /// Reads `path` as llama.cpp does: a file that starts with the GGUF magic is read as llama-imatrix's GGUF and
    /// must carry its metadata; anything else is parsed as the legacy `.dat` layout. The file is mapped once and
    /// hashed (SHA-256) for provenance.
    public static func load(path: String) throws -> ImportanceMatrix {
        try load(path: path, openGGUF: { try GGUFReader(file: $0) })
    }

    /// `load(path:)` with the GGUF reader supplied (tests pass an in-memory source).
    public static func load(path: String, openGGUF: (MappedFile) throws -> any TensorSource) throws -> ImportanceMatrix {
        let file = try MappedFile(path: path)
        file.adviseSequential()
        let hash = SHA256.hex(of: file.bytes)
        if GGUFReader.recognises(try FileHead(path: path)) {
            let source = try openGGUF(file)
            return try fromGGUF(source, path: path, sha256: hash)
        }
        return try fromLegacyDat(file.bytes, path: path, sha256: hash)
    }
}

/// A malformed or mismatched importance matrix. Messages name the file and the entry.
public enum ImatrixError: IngotDiagnostic, Equatable, Sendable {
    case missingMetadata(path: String, key: String)
    case badMetadata(path: String, key: String, expected: String)
    case noEntries(path: String)
    case unpaired(path: String, entry: String, missing: String)
    case notF32(path: String, tensor: String, type: String)
    case badCounts(path: String, entry: String, reason: String)
    case nonFinite(path: String, entry: String, index: Int)
    case duplicate(path: String, entry: String)
    case malformed(path: String, offset: Int, reason: String)
    case sizeMismatch(path: String, tensor: String, values: Int, rowLength: Int, matrices: Int)

    public var description: String {
        switch self {
        case .missingMetadata(let p, let k):
            return "\(p): imatrix GGUF lacks '\(k)' (llama-imatrix writes imatrix.datasets, imatrix.chunk_count, imatrix.chunk_size)"
        case .badMetadata(let p, let k, let e): return "\(p): imatrix key '\(k)' must be \(e)"
        case .noEntries(let p): return "\(p): the importance matrix has no entries"
        case .unpaired(let p, let e, let m): return "\(p): entry '\(e)' has no \(m) tensor"
        case .notF32(let p, let t, let ty): return "\(p): tensor '\(t)' is \(ty), imatrix sums and counts must be F32"
        case .badCounts(let p, let e, let r): return "\(p): entry '\(e)': \(r)"
        case .nonFinite(let p, let e, let i): return "\(p): entry '\(e)' has a non-finite value at index \(i)"
        case .duplicate(let p, let e): return "\(p): entry '\(e)' appears twice"
        case .malformed(let p, let o, let r): return "\(p): legacy imatrix malformed at byte \(o): \(r)"
        case .sizeMismatch(let p, let t, let v, let row, let m):
            return "\(p): imatrix entry for \(t) has \(v) values, the tensor needs \(row) × \(m) (row length × experts)"
        }
    }

    public var hint: String? {
        switch self {
        case .sizeMismatch: return "the importance matrix was computed for a different model (or an older expert layout)"
        default: return nil
        }
    }
}
