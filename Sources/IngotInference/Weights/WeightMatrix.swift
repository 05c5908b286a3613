import IngotCore
import IngotQuant

/// One 2-D weight `W[rows, cols]` (a Linear's `[out, in]`) viewed in its stored type, never copied whole.
///
/// The bytes stay in the ``TensorSource`` (memory-mapped); ``decodeRows(_:into:bytes:)`` turns a tile of rows into
/// floats in a scratch buffer just before BLAS uses them. A matrix can be a slice of a bigger tensor (one expert of
/// a stacked `[E, out, in]` tensor) through its byte offsets.
struct WeightMatrix {
    /// How the rows are laid out on disk.
    enum Storage: Equatable {
        /// `rows` consecutive rows of `cols` elements of `type` (any plain or block type).
        case rows(type: ElementType, tensor: String, offset: Int)
        /// Stored transposed, `[cols, rows]` of a plain float type (gpt-oss's dense expert parameters, `[in, out]`).
        case columns(type: ElementType, tensor: String, offset: Int)
        /// transformers' MXFP4 checkpoint layout: blocks `[rows, cols/32, 16]` (U8) and E8M0 scales `[rows, cols/32]`.
        case mxfp4Split(blocks: String, blocksOffset: Int, scales: String, scalesOffset: Int)
    }

    let source: TensorSource
    let rows: Int
    let cols: Int
    let storage: Storage
    /// Decoder for `.rows` storage, resolved once when the matrix is bound.
    let decoder: RowDecoder?

    init(source: TensorSource, rows: Int, cols: Int, storage: Storage) throws {
        self.source = source
        self.rows = rows
        self.cols = cols
        self.storage = storage
        switch storage {
        case let .rows(type, tensor, _):
            decoder = try RowDecoder(type: type, tensor: tensor, file: source.path, rowLength: cols)
        case let .columns(type, tensor, _):
            guard type.blockElements == 1, RowDecoder.isPlain(type) else {
                throw InferenceError.unsupportedType(name: tensor, file: source.path, type: type.displayName,
                                                     supported: RowDecoder.plainTypes.map(\.displayName))
            }
            decoder = nil
        case .mxfp4Split:
            decoder = nil
        }
    }

    /// Display name of the stored type ("Q4_K", "BF16", "MXFP4").
    var typeName: String {
        switch storage {
        case let .rows(t, _, _), let .columns(t, _, _): return t.displayName
        case .mxfp4Split: return "MXFP4"
        }
    }

    /// The raw bytes a decode needs: the tensor's bytes (plus the scales tensor for the split MXFP4 layout).
    struct Bytes {
        let main: UnsafeRawPointer
        let scales: UnsafeRawPointer?
    }

    /// Runs `body` with the stored bytes of this matrix (valid only inside `body`).
    func withBytes<R>(_ body: (Bytes) throws -> R) throws -> R {
        switch storage {
        case let .rows(_, tensor, offset), let .columns(_, tensor, offset):
            return try source.withBytes(of: tensor) { b in
                try body(Bytes(main: b.baseAddress! + offset, scales: nil))
            }
        case let .mxfp4Split(blocks, bOff, scales, sOff):
            return try source.withBytes(of: blocks) { b in
                try source.withBytes(of: scales) { s in
                    try body(Bytes(main: b.baseAddress! + bOff, scales: s.baseAddress! + sOff))
                }
            }
        }
    }

    /// When the stored rows are already float32 in memory order and aligned, BLAS can read them in place.
    func directF32(_ bytes: Bytes) -> UnsafePointer<Float>? {
        guard case let .rows(type, _, _) = storage, type == .f32 else { return nil }
        #if _endian(little)
        guard Int(bitPattern: bytes.main) % MemoryLayout<Float>.alignment == 0 else { return nil }
        return bytes.main.assumingMemoryBound(to: Float.self)
        #else
        return nil
        #endif
    }

    /// Decodes rows `r` into `dst` (row-major, `r.count × cols` floats).
    func decodeRows(_ r: Range<Int>, into dst: UnsafeMutablePointer<Float>, bytes: Bytes) {
        switch storage {
        case .rows:
            let rowBytes = decoder!.rowBytes
            decoder!.decode(bytes.main + r.lowerBound * rowBytes, rows: r.count, into: dst)
        case let .columns(type, _, _):
            // Column k of W is row k on disk: read the slice r of each stored row and scatter it into place.
            let es = type.blockBytes
            withUnsafeTemporaryAllocation(of: Float.self, capacity: r.count) { tmp in
                for k in 0..<cols {
                    ElementConversion.toFloat(type, bytes.main + (k * rows + r.lowerBound) * es, tmp.baseAddress!, count: r.count)
                    for i in 0..<r.count { dst[i * cols + k] = tmp[i] }
                }
            }
        case .mxfp4Split:
            MXFP4Checkpoint.decode(blocks: bytes.main, scales: bytes.scales!, rows: r, cols: cols, into: dst)
        }
    }

    /// All of `W` as floats `[rows × cols]` (for references, small tensors and tests).
    func decodeAll() throws -> [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        try withBytes { b in
            out.withUnsafeMutableBufferPointer { decodeRows(0..<rows, into: $0.baseAddress!, bytes: b) }
        }
        return out
    }
}
