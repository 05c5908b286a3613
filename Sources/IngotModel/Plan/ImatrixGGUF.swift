import IngotCore

extension ImportanceMatrix {
    /// The three keys llama-quantize requires of a GGUF imatrix (`has_metadata`).
    static let datasetsKey = "imatrix.datasets"
    static let chunkCountKey = "imatrix.chunk_count"
    static let chunkSizeKey = "imatrix.chunk_size"

    /// Builds the matrix from llama-imatrix's GGUF (`save_imatrix`): for each weight, `<name>.in_sum2` (F32,
    /// ne = [ne0, n_mat]) holding Σ x² per column and matrix, and `<name>.counts` (F32, ne = [1, n_mat]) holding the
    /// token count per matrix; `<name>.in_sum` (F32, same size) is accepted and ignored, as llama-quantize does.
    ///
    /// Checks beyond the reference's (which would crash or read garbage): counts are finite, non-negative integers
    /// in range; the number of sums is a whole multiple of the number of counts; every value is finite (the
    /// reference rejects non-finite values only once quantizing starts).
    public static func fromGGUF(_ source: any TensorSource, path: String, sha256: String) throws -> ImportanceMatrix {
        let meta = source.metadata
        guard let datasetsValue = meta[datasetsKey] else { throw ImatrixError.missingMetadata(path: path, key: datasetsKey) }
        guard case .array(.string, let items) = datasetsValue else {
            throw ImatrixError.badMetadata(path: path, key: datasetsKey, expected: "an array of strings")
        }
        let datasets = items.compactMap(\.stringValue)
        func u32(_ key: String) throws -> Int {
            guard let v = meta[key] else { throw ImatrixError.missingMetadata(path: path, key: key) }
            guard case .uint32(let x) = v else { throw ImatrixError.badMetadata(path: path, key: key, expected: "a u32") }
            return Int(x)
        }
        let chunkCount = try u32(chunkCountKey)
        let chunkSize = try u32(chunkSizeKey)

        // Group tensors by weight name, as common_imatrix_load does (suffix stripped; other tensors ignored).
        var sums: [String: TensorInfo] = [:], counts: [String: TensorInfo] = [:], plainSums: [String: TensorInfo] = [:]
        for t in source.tensors where !t.name.isEmpty {
            if t.name.hasSuffix(".in_sum2") { sums[String(t.name.dropLast(8))] = t }
            else if t.name.hasSuffix(".in_sum") { plainSums[String(t.name.dropLast(7))] = t }
            else if t.name.hasSuffix(".counts") { counts[String(t.name.dropLast(7))] = t }
        }
        guard !source.tensors.isEmpty else { throw ImatrixError.noEntries(path: path) }

        var entries: [String: Entry] = [:]
        for name in Set(sums.keys).union(counts.keys).union(plainSums.keys).sorted() {
            guard let s = sums[name] else { throw ImatrixError.unpaired(path: path, entry: name, missing: ".in_sum2") }
            guard let c = counts[name] else { throw ImatrixError.unpaired(path: path, entry: name, missing: ".counts") }
            for t in [s, c] + (plainSums[name].map { [$0] } ?? []) where t.type != .f32 {
                throw ImatrixError.notF32(path: path, tensor: t.name, type: t.type.displayName)
            }
            if let p = plainSums[name], p.elementCount != s.elementCount {
                throw ImatrixError.badCounts(path: path, entry: name, reason: ".in_sum and .in_sum2 differ in size")
            }
            let rawSums = try floats(of: s, in: source)
            let rawCounts = try floats(of: c, in: source)
            // llama-quantize skips entries without counts or sums.
            if rawCounts.isEmpty || rawSums.isEmpty { continue }
            guard rawSums.count % rawCounts.count == 0 else {
                throw ImatrixError.badCounts(path: path, entry: name,
                    reason: "\(rawSums.count) sums are not a whole number of rows for \(rawCounts.count) counts")
            }
            var intCounts: [Int] = []
            intCounts.reserveCapacity(rawCounts.count)
            for (j, f) in rawCounts.enumerated() {
                // std::lround: halves away from zero. Bound first so a hostile count cannot trap.
                guard f.isFinite, f > -0.5, f < 9.0e15 else {
                    throw ImatrixError.badCounts(path: path, entry: name, reason: "count \(j) is \(f)")
                }
                intCounts.append(Int(f.rounded(.toNearestOrAwayFromZero)))
            }
            let ne0 = rawSums.count / rawCounts.count
            var values = [Float](repeating: 0, count: rawSums.count)
            for j in 0..<intCounts.count {
                let count = Float(intCounts[j])
                for i in 0..<ne0 {
                    values[j * ne0 + i] = count > 0 ? rawSums[j * ne0 + i] / count : 1
                }
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ImatrixError.nonFinite(path: path, entry: name, index: bad)
            }
            entries[name] = Entry(name: name, sums: rawSums, counts: intCounts, values: values)
        }
        return ImportanceMatrix(path: path, format: .gguf, sha256: sha256, entries: entries, datasets: datasets,
                                chunkCount: chunkCount, chunkSize: chunkSize)
    }

    /// The F32 contents of `t`, little-endian, read through the source's bounds-checked bytes.
    private static func floats(of t: TensorInfo, in source: any TensorSource) throws -> [Float] {
        let n = t.elementCount
        return try source.withBytes(of: t.name) { raw -> [Float] in
            guard raw.count == n * 4 else {
                throw ImatrixError.badCounts(path: source.path, entry: t.name,
                                             reason: "has \(raw.count) bytes, \(n) F32 values need \(n * 4)")
            }
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
            }
            return out
        }
    }
}
