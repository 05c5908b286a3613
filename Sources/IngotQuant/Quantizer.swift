import IngotCore

/// Tensor-level quantization: rows of floats to a stored type and back, rows split across cores.
///
/// Handles every codec in ``Codecs`` plus the plain float types F32, F16 and BF16 (through `ElementConversion`).
/// Results never depend on `threads`: each row is processed independently, exactly as ggml's
/// `ggml_quantize_chunk` does.
public enum Quantizer {
    /// Plain types handled by `ElementConversion` rather than a block codec.
    static let plainTypes: Set<ElementType> = [.f32, .f16, .bf16]

    /// Minimum elements a thread should get before splitting is worth it.
    static let minElementsPerChunk = 32 * 512

    /// Bytes one row of `rowLength` elements occupies in `type`.
    /// - Throws: ``QuantError/rowLengthNotMultiple(type:rowLength:blockSize:)`` or ``QuantError/badShape(_:)``.
    public static func rowBytes(_ type: ElementType, rowLength: Int) throws -> Int {
        guard rowLength > 0 else { throw QuantError.badShape("row length \(rowLength) must be positive") }
        let qk = type.blockElements
        guard rowLength % qk == 0 else { throw QuantError.rowLengthNotMultiple(type: type, rowLength: rowLength, blockSize: qk) }
        let (b, o) = (rowLength / qk).multipliedReportingOverflow(by: type.blockBytes)
        guard !o else { throw QuantError.badShape("row of \(rowLength) \(type.displayName) elements overflows") }
        return b
    }

    /// Quantizes `rows` (row-major, `rows.count / rowLength` rows of `rowLength` floats) into `into`.
    ///
    /// - Parameters:
    ///   - importance: nil, `rowLength` floats (one imatrix row for every row), or `k * rowLength` floats for a
    ///     stack of `k` equally tall matrices (3-D expert tensors: row `r` of `R` uses slice `r / (R / k)`, as
    ///     llama-quantize does, shared/docs/gguf-and-quants.md §5.6).
    ///   - into: exactly `rowCount * rowBytes(type, rowLength)` bytes.
    /// - Throws: ``QuantError``; a NaN/Inf input is reported with its flat index, row and column (the lowest one
    ///   found when several threads see one).
    public static func quantize(_ type: ElementType, rows: UnsafeBufferPointer<Float>, rowLength: Int,
                                importance: UnsafeBufferPointer<Float>?, into: UnsafeMutableRawBufferPointer,
                                threads: Int = Parallel.coreCount) throws {
        let codec: BlockCodec.Type?
        if plainTypes.contains(type) { codec = nil } else { codec = try Codecs.encoder(for: type) }
        let rb = try rowBytes(type, rowLength: rowLength)
        guard rows.count % rowLength == 0 else {
            throw QuantError.badShape("\(rows.count) elements are not whole rows of \(rowLength)")
        }
        let rowCount = rows.count / rowLength
        guard into.count == rowCount * rb else {
            throw QuantError.bufferSize(what: "\(type.displayName) output of \(rowCount)×\(rowLength)",
                                        expected: rowCount * rb, found: into.count)
        }
        var slices = 0
        if let w = importance {
            slices = w.count / rowLength
            guard w.count % rowLength == 0, slices > 0, rowCount % slices == 0 else {
                throw QuantError.bufferSize(what: "importance for \(rowCount) rows of \(rowLength)",
                                            expected: rowLength, found: w.count)
            }
            if let i = FiniteCheck.firstNonFinite(w) { throw QuantError.nonFiniteImportance(value: w[i], index: i) }
        }
        guard rowCount > 0, let src = rows.baseAddress, let dst = into.baseAddress else { return }

        let rowsPerSlice = slices > 0 ? rowCount / slices : rowCount

        let firstError = FirstError()
        Parallel.forEachChunk(rowCount, threads: threads, minChunk: max(1, minElementsPerChunk / rowLength)) { range in
            for r in range {
                let x = UnsafeBufferPointer(start: src + r * rowLength, count: rowLength)
                let out = UnsafeMutableRawBufferPointer(start: dst + r * rb, count: rb)
                do {
                    if let codec {
                        var w: UnsafeBufferPointer<Float>? = nil
                        if let imp = importance, let ib = imp.baseAddress {
                            w = UnsafeBufferPointer(start: ib + (r / rowsPerSlice) * rowLength, count: rowLength)
                        }
                        try codec.encode(x, importance: w, into: out)
                    } else {
                        if let i = FiniteCheck.firstNonFinite(x) {
                            throw QuantError.nonFinite(value: x[i], index: i, rowLength: rowLength)
                        }
                        ElementConversion.fromFloat(type, src + r * rowLength, dst + r * rb, count: rowLength)
                    }
                } catch let e as QuantError {
                    // Codecs report indices within the row; re-base them on the whole tensor.
                    if case let .nonFinite(v, i, _) = e {
                        firstError.record(row: r, QuantError.nonFinite(value: v, index: r * rowLength + i, rowLength: rowLength))
                    } else {
                        firstError.record(row: r, e)
                    }
                    return
                } catch {
                    firstError.record(row: r, error)
                    return
                }
            }
        }
        if let e = firstError.error { throw e }
    }

    /// Quantizes rows stored as a plain type (`F32`, `F16`, `BF16`: a tensor as read from a file) into `type`,
    /// converting each chunk of rows to floats in a per-thread scratch buffer, so the whole tensor is never held
    /// as F32. Same checks and results as ``quantize(_:rows:rowLength:importance:into:threads:)``.
    public static func quantize(_ type: ElementType, from sourceType: ElementType, _ source: UnsafeRawBufferPointer,
                                rowLength: Int, importance: UnsafeBufferPointer<Float>?,
                                into: UnsafeMutableRawBufferPointer, threads: Int = Parallel.coreCount) throws {
        guard plainTypes.contains(sourceType) else {
            throw QuantError.decodeUnsupported(sourceType, supported: Array(plainTypes).sorted { $0.rawValue < $1.rawValue })
        }
        let srcRow = try rowBytes(sourceType, rowLength: rowLength)
        let rb = try rowBytes(type, rowLength: rowLength)
        guard source.count % srcRow == 0 else {
            throw QuantError.badShape("\(source.count) bytes are not whole \(sourceType.displayName) rows of \(rowLength)")
        }
        let rowCount = source.count / srcRow
        guard into.count == rowCount * rb else {
            throw QuantError.bufferSize(what: "\(type.displayName) output of \(rowCount)×\(rowLength)",
                                        expected: rowCount * rb, found: into.count)
        }
        if let w = importance {
            let slices = w.count / rowLength
            guard w.count % rowLength == 0, slices > 0, rowCount % slices == 0 else {
                throw QuantError.bufferSize(what: "importance for \(rowCount) rows of \(rowLength)",
                                            expected: rowLength, found: w.count)
            }
        }
        guard rowCount > 0, let src = source.baseAddress, let dst = into.baseAddress else { return }
        // Rows per piece: enough to amortise the call, small enough to stay in cache.
        let piece = max(1, 65_536 / rowLength)
        let pieces = (rowCount + piece - 1) / piece
        let firstError = FirstError()
        Parallel.forEachChunk(pieces, threads: threads) { range in
            let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: piece * rowLength)
            defer { scratch.deallocate() }
            for p in range {
                let r0 = p * piece, n = min(piece, rowCount - r0)
                ElementConversion.toFloat(sourceType, src + r0 * srcRow, scratch.baseAddress!, count: n * rowLength)
                var w: UnsafeBufferPointer<Float>? = nil
                if let imp = importance {
                    // Per-expert slices must not straddle a piece: fall back to row by row when they would.
                    let slices = imp.count / rowLength
                    let rowsPerSlice = rowCount / max(1, slices)
                    if slices <= 1 {
                        w = imp
                    } else if r0 / rowsPerSlice != (r0 + n - 1) / rowsPerSlice {
                        for r in r0..<(r0 + n) {
                            do {
                                try quantize(type, rows: UnsafeBufferPointer(start: scratch.baseAddress! + (r - r0) * rowLength, count: rowLength),
                                             rowLength: rowLength,
                                             importance: UnsafeBufferPointer(rebasing: imp[((r / rowsPerSlice) * rowLength)..<((r / rowsPerSlice + 1) * rowLength)]),
                                             into: UnsafeMutableRawBufferPointer(start: dst + r * rb, count: rb), threads: 1)
                            } catch { firstError.record(row: r, rebase(error, firstRow: r, rowLength: rowLength)); return }
                        }
                        continue
                    } else {
                        let s = r0 / rowsPerSlice
                        w = UnsafeBufferPointer(rebasing: imp[(s * rowLength)..<((s + 1) * rowLength)])
                    }
                }
                do {
                    try quantize(type, rows: UnsafeBufferPointer(start: scratch.baseAddress!, count: n * rowLength),
                                 rowLength: rowLength, importance: w,
                                 into: UnsafeMutableRawBufferPointer(start: dst + r0 * rb, count: n * rb), threads: 1)
                } catch {
                    firstError.record(row: r0, rebase(error, firstRow: r0, rowLength: rowLength))
                    return
                }
            }
        }
        if let e = firstError.error { throw e }
    }

    /// Shifts a ``QuantError/nonFinite(value:index:rowLength:)`` found in a piece starting at `firstRow`.
    static func rebase(_ e: Error, firstRow: Int, rowLength: Int) -> Error {
        if case let QuantError.nonFinite(v, i, n)? = e as? QuantError {
            return QuantError.nonFinite(value: v, index: firstRow * rowLength + i, rowLength: n)
        }
        return e
    }

    /// Dequantizes `q` (`into.count / rowLength` rows of `type`) into `into`.
    /// - Throws: ``QuantError`` for sizes that disagree or a type no codec decodes.
    public static func dequantize(_ type: ElementType, _ q: UnsafeRawBufferPointer, rowLength: Int,
                                  into: UnsafeMutableBufferPointer<Float>, threads: Int = Parallel.coreCount) throws {
        let codec: BlockDecoder.Type?
        if plainTypes.contains(type) { codec = nil } else { codec = try Codecs.decoder(for: type) }
        let rb = try rowBytes(type, rowLength: rowLength)
        guard into.count % rowLength == 0 else {
            throw QuantError.badShape("\(into.count) elements are not whole rows of \(rowLength)")
        }
        let rowCount = into.count / rowLength
        guard q.count == rowCount * rb else {
            throw QuantError.bufferSize(what: "\(type.displayName) input of \(rowCount)×\(rowLength)",
                                        expected: rowCount * rb, found: q.count)
        }
        guard rowCount > 0, let src = q.baseAddress, let dst = into.baseAddress else { return }
        Parallel.forEachChunk(rowCount, threads: threads, minChunk: max(1, 4 * minElementsPerChunk / rowLength)) { range in
            // Rows are contiguous, so a chunk of rows is one run of whole blocks.
            let n = range.count * rowLength
            if let codec {
                codec.decode(UnsafeRawBufferPointer(start: src + range.lowerBound * rb, count: range.count * rb),
                             into: UnsafeMutableBufferPointer(start: dst + range.lowerBound * rowLength, count: n))
            } else {
                ElementConversion.toFloat(type, src + range.lowerBound * rb, dst + range.lowerBound * rowLength, count: n)
            }
        }
    }

    /// Dequantizes one row (or any run of whole blocks) on the calling thread.
    public static func dequantizeRow(_ type: ElementType, _ q: UnsafeRawBufferPointer,
                                     into: UnsafeMutableBufferPointer<Float>) throws {
        if into.isEmpty {
            guard q.isEmpty else { throw QuantError.bufferSize(what: "\(type.displayName) input for an empty row", expected: 0, found: q.count) }
            return
        }
        try dequantize(type, q, rowLength: into.count, into: into, threads: 1)
    }
}

/// The error of the lowest row that failed, so the report does not depend on thread timing.
final class FirstError: @unchecked Sendable {
    private let lock = Mutex()
    private var row = Int.max
    private var stored: Error?
    func record(row r: Int, _ e: Error) {
        lock.withLock { if r < row { row = r; stored = e } }
    }
    var error: Error? { lock.withLock { stored } }
}
