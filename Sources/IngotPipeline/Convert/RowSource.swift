import IngotCore
import IngotModel
import IngotQuant

/// Produces the rows of one output tensor from its source bytes, as float32 (for conversion and quantization)
/// or, where no value changes, as bytes copied straight through. Rows are independent, so any range can be
/// produced on any thread; memory is the caller's slab, never the whole model.
struct RowSource {
    /// Output shape, outermost first.
    let shape: [Int]
    let rowLength: Int
    let rowCount: Int
    private let kind: Kind
    /// Keeps generated values alive.
    private let generated: [Float]

    private enum Kind {
        /// Rows read from one source: `rowIndex(r)` gives the source row; elements converted from `type`.
        case rows(base: UnsafeRawPointer, type: ElementType, map: RowMap)
        /// Stacked sources (Mixtral experts): expert e = r / perExpert.
        case stack(bases: [UnsafeRawPointer], type: ElementType, perExpert: Int)
        /// Element gather: output (row r, column c) = source element `index(r, c)`.
        case gather(base: UnsafeRawPointer, type: ElementType, index: (Int, Int) -> Int)
        /// MXFP4 repack from blocks/scales; rows of ggml blocks.
        case mxfp4(blocks: UnsafeRawPointer, scales: UnsafeRawPointer, groups: Int, perExpertOut: Int,
                   perExpertIn: Int, stride: Int, offset: Int)
        /// Quantized source rows (GGUF block types): dequantized per row.
        case blocks(base: UnsafeRawPointer, type: ElementType, rowBytes: Int)
        /// Values computed by the converter.
        case values
    }

    enum RowMap {
        case identity
        /// llama Q/K: rows regrouped per head.
        case heads(Int)
        /// 1-D Q/K bias: elements regrouped per head inside the single row.
        case headsInRow(Int)
    }

    // MARK: - Construction

    /// For a Hugging Face recipe: `bytes[i]` and `infos[i]` are source `r.sources[i]`, lent by the caller's
    /// `withBytes` scope, which must outlive this value.
    init(recipe r: TensorRecipe, bytes: [UnsafeRawBufferPointer], infos: [TensorInfo]) throws {
        shape = r.shape
        rowLength = r.shape.last ?? 1
        rowCount = r.shape.dropLast().reduce(1, *)
        if case .generated(let values) = r.transform { generated = values } else { generated = [] }
        guard bytes.count == r.sources.count, infos.count == r.sources.count else {
            throw ConvertError.tensorFailed(tensor: r.name, reason: "recipe needs \(r.sources.count) sources, got \(bytes.count)")
        }
        func src(_ i: Int) throws -> (UnsafeRawPointer, TensorInfo) {
            (bytes[i].baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, infos[i])
        }
        switch r.transform {
        case .copy:
            let (b, t) = try src(0)
            kind = .rows(base: b, type: t.type, map: .identity)
        case .permuteHeads(let heads):
            let (b, t) = try src(0)
            kind = .rows(base: b, type: t.type, map: r.shape.count == 1 ? .headsInRow(heads) : .heads(heads))
        case .stack:
            let bases = try r.sources.indices.map { try src($0).0 }
            let t = infos[0]
            kind = .stack(bases: bases, type: t.type, perExpert: t.shape.first ?? 1)
        case .transposeLastTwo:
            // source [E, A, B] → output [E, B, A]: out (e, b) column a = src[e, a, b]
            let (b, t) = try src(0)
            let (A, B) = (t.shape[1], t.shape[2])
            kind = .gather(base: b, type: t.type, index: { r, c in (r / B) * A * B + c * B + (r % B) })
        case .transposeThenInterleavedRows(let off):
            // source [E, A, 2n] → output [E, n, A]: out (e, i) column a = src[e, a, 2i + off]
            let (b, t) = try src(0)
            let (A, N2) = (t.shape[1], t.shape[2])
            let n = N2 / 2
            kind = .gather(base: b, type: t.type, index: { r, c in (r / n) * A * N2 + c * N2 + 2 * (r % n) + off })
        case .interleavedColumns(let off):
            let (b, t) = try src(0)
            let n2 = t.shape.last ?? 2
            kind = .gather(base: b, type: t.type, index: { r, c in r * n2 + 2 * c + off })
        case .mxfp4Repack(let stride, let offset):
            let (blocks, bt) = try src(0)
            let (scales, _) = try src(1)
            let (R, G) = (bt.shape[1], bt.shape[2])
            kind = .mxfp4(blocks: blocks, scales: scales, groups: G, perExpertOut: R / stride, perExpertIn: R,
                          stride: stride, offset: offset)
        case .generated:
            kind = .values
        }
    }

    /// For one stored tensor (GGUF input, tensor file); `bytes` is lent by the caller's `withBytes` scope.
    init(tensor t: TensorInfo, bytes: UnsafeRawBufferPointer) throws {
        shape = t.shape
        rowLength = t.shape.last ?? 1
        rowCount = t.shape.dropLast().reduce(1, *)
        generated = []
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        if t.type.isQuantized {
            kind = .blocks(base: base, type: t.type, rowBytes: try t.type.byteCount(elements: rowLength))
        } else {
            kind = .rows(base: base, type: t.type, map: .identity)
        }
    }

    // MARK: - Same-type byte copies

    /// When the output type equals the source's element type and only rows move, the bytes of output row `r`
    /// (nil when the transform changes values or gathers elements).
    func rawRow(_ r: Int, type out: ElementType) -> UnsafeRawPointer? {
        switch kind {
        case .rows(let base, let type, let map) where type == out:
            let rb = rowLength * type.blockBytes / type.blockElements
            switch map {
            case .identity: return base + r * rb
            case .heads(let h): return base + HeadPermutation.sourceRow(r, rows: rowCount, heads: h) * rb
            case .headsInRow: return nil
            }
        case .stack(let bases, let type, let per) where type == out:
            let rb = rowLength * type.blockBytes
            return bases[r / per] + (r % per) * rb
        case .blocks(let base, let type, let rowBytes) where type == out:
            return base + r * rowBytes
        default:
            return nil
        }
    }

    /// Whether output rows of `type` can be written directly as repacked MXFP4 blocks.
    var isMXFP4: Bool { if case .mxfp4 = kind { return true }; return false }

    /// Writes `rows` MXFP4 rows (ggml blocks) starting at `r0` into `out`.
    func mxfp4Rows(_ range: Range<Int>, into out: UnsafeMutableRawPointer) {
        guard case .mxfp4(let blocks, let scales, let groups, let perOut, let perIn, let stride, let offset) = kind else { return }
        let rb = groups * ElementType.mxfp4.blockBytes
        for (i, r) in range.enumerated() {
            let e = r / perOut, o = r % perOut
            let srcRow = e * perIn + o * stride + offset
            MXFP4Repack.repack(blocks: (blocks + srcRow * groups * MXFP4Checkpoint.groupCodeBytes).assumingMemoryBound(to: UInt8.self),
                               scales: (scales + srcRow * groups).assumingMemoryBound(to: UInt8.self),
                               groups: groups, into: (out + i * rb).assumingMemoryBound(to: UInt8.self))
        }
    }

    // MARK: - Float rows

    /// Fills `range.count` rows of float32 into `out` (row-major).
    func floatRows(_ range: Range<Int>, into out: UnsafeMutablePointer<Float>) throws {
        let n = rowLength
        switch kind {
        case .values:
            for (i, r) in range.enumerated() {
                for c in 0..<n { out[i * n + c] = generated[r * n + c] }
            }
        case .rows(let base, let type, let map):
            let eb = type.blockBytes
            switch map {
            case .identity:
                try convert(type, base + range.lowerBound * n * eb, out, range.count * n)
            case .heads(let h):
                for (i, r) in range.enumerated() {
                    let s = HeadPermutation.sourceRow(r, rows: rowCount, heads: h)
                    try convert(type, base + s * n * eb, out + i * n, n)
                }
            case .headsInRow(let h):
                for (i, r) in range.enumerated() {
                    for c in 0..<n {
                        let s = HeadPermutation.sourceRow(c, rows: n, heads: h)
                        try convert(type, base + (r * n + s) * eb, out + i * n + c, 1)
                    }
                }
            }
        case .stack(let bases, let type, let per):
            let eb = type.blockBytes
            for (i, r) in range.enumerated() {
                try convert(type, bases[r / per] + (r % per) * n * eb, out + i * n, n)
            }
        case .gather(let base, let type, let index):
            let eb = type.blockBytes
            for (i, r) in range.enumerated() {
                for c in 0..<n { try convert(type, base + index(r, c) * eb, out + i * n + c, 1) }
            }
        case .mxfp4(_, _, let groups, _, _, _, _):
            let rb = groups * ElementType.mxfp4.blockBytes
            let tmp = UnsafeMutableRawPointer.allocate(byteCount: rb, alignment: 16)
            defer { tmp.deallocate() }
            for (i, r) in range.enumerated() {
                mxfp4Rows(r..<(r + 1), into: tmp)
                try Quantizer.dequantizeRow(.mxfp4, UnsafeRawBufferPointer(start: tmp, count: rb),
                                            into: UnsafeMutableBufferPointer(start: out + i * n, count: n))
            }
        case .blocks(let base, let type, let rowBytes):
            try Quantizer.dequantize(type, UnsafeRawBufferPointer(start: base + range.lowerBound * rowBytes,
                                                                  count: range.count * rowBytes),
                                     rowLength: n, into: UnsafeMutableBufferPointer(start: out, count: range.count * n),
                                     threads: 1)
        }
    }

    private func convert(_ type: ElementType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, _ count: Int) throws {
        guard ElementConversion.toFloat(type, src, dst, count: count) else {
            throw ConvertError.tensorFailed(tensor: "(\(type.displayName) source)", reason: "cannot read \(type.displayName) values as floats")
        }
    }
}
