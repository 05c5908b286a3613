import IngotCore

extension ImportanceMatrix {
    /// Caps that keep a hostile legacy file from asking for absurd allocations before its bytes are checked.
    static let maxLegacyEntries = 1 << 20
    static let maxLegacyNameBytes = 1 << 16

    /// Parses llama-imatrix's legacy `.dat` (`save_imatrix_legacy`; read by `common_imatrix_load_legacy`):
    /// `i32 n_entries`, then per entry `i32 len`, name bytes, `i32 ncall`, `i32 nval`, `f32[nval]`; then optionally
    /// `i32 chunk_count`, `i32 len`, dataset-name bytes. All little-endian.
    ///
    /// Values are llama-quantize's: stored / ncall (stored as-is when ncall ≤ 0). The name is read as a C string
    /// (cut at its first NUL), as the reference does. Unlike the reference, a negative length, a duplicate name or
    /// a non-finite value is an error rather than a crash or silently used data.
    public static func fromLegacyDat(_ bytes: UnsafeRawBufferPointer, path: String, sha256: String) throws -> ImportanceMatrix {
        var r = ByteReader(bytes)
        func fail(_ reason: String) -> ImatrixError { .malformed(path: path, offset: r.offset, reason: reason) }
        func read<T>(_ what: String, _ body: (inout ByteReader) throws -> T) throws -> T {
            do { return try body(&r) } catch let e as TruncatedRead {
                throw ImatrixError.malformed(path: path, offset: e.offset, reason: "\(what): \(e)")
            }
        }

        let nEntries = try read("entry count") { try $0.i32() }
        guard nEntries >= 1 else { throw ImatrixError.noEntries(path: path) }
        guard Int(nEntries) <= maxLegacyEntries else { throw fail("\(nEntries) entries (limit \(maxLegacyEntries))") }

        var entries: [String: Entry] = [:]
        for i in 0..<Int(nEntries) {
            let len = try read("name length of entry \(i + 1)") { try $0.i32() }
            guard len >= 0, Int(len) <= maxLegacyNameBytes else { throw fail("entry \(i + 1): name length \(len)") }
            let nameBytes = try read("name of entry \(i + 1)") { Array(try $0.bytes(Int(len))) }
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            let ncall = try read("call count of \(name)") { try $0.i32() }
            let nval = try read("value count of \(name)") { try $0.i32() }
            guard nval >= 1 else { throw fail("entry '\(name)': \(nval) values") }
            try read("values of \(name)") { try $0.require(Int(nval) * 4) }
            var stored = [Float](repeating: 0, count: Int(nval))
            for j in 0..<Int(nval) { stored[j] = try r.f32() }
            guard entries[name] == nil else { throw ImatrixError.duplicate(path: path, entry: name) }
            let values = ncall > 0 ? stored.map { $0 / Float(ncall) } : stored
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ImatrixError.nonFinite(path: path, entry: name, index: bad)
            }
            entries[name] = Entry(name: name, sums: stored, counts: [Int(ncall)], values: values)
        }

        // The trailer is optional; a partial one is ignored piecewise, as the reference's stream reads are.
        var chunkCount = 0
        var datasets: [String] = []
        if r.remaining >= 4 {
            chunkCount = Int(try r.i32())
            if r.remaining >= 4 {
                let len = Int(try r.i32())
                if len > 0 && len <= r.remaining {
                    let raw = Array(try r.bytes(len))
                    datasets.append(String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self))
                }
            }
        }
        return ImportanceMatrix(path: path, format: .legacyDat, sha256: sha256, entries: entries, datasets: datasets,
                                chunkCount: max(0, chunkCount), chunkSize: 0)
    }
}
