import IngotCore

/// Options for ``NF4Quantizer``: the transformers `BitsAndBytesConfig` choices that change the bytes.
public struct NF4Options: Sendable {
    /// `bnb_4bit_quant_type` (transformers' default is FP4; NF4 must be asked for).
    public var type: FourBitType
    /// Elements per absmax block: 32 … 4096, powers of two (bitsandbytes' default 64).
    public var blockSize: Int
    /// `bnb_4bit_use_double_quant`: quantize the absmax values to 8 bits (chunks of 256).
    public var doubleQuant: Bool
    /// The dtype recorded in the quant state (the source weight's dtype; bitsandbytes dequantizes to it).
    public var dtype: String
    /// Offset to subtract before double quantization; nil means ``DoubleQuantization/meanOffset(_:)``.
    /// Only tests comparing against bitsandbytes' own (float32, machine-dependent) mean need to set it.
    public var nestedOffset: Float?
    /// Worker threads (results never depend on it).
    public var threads: Int

    public init(type: FourBitType = .nf4, blockSize: Int = 64, doubleQuant: Bool = false, dtype: String = "float32",
                nestedOffset: Float? = nil, threads: Int = Parallel.coreCount) {
        self.type = type
        self.blockSize = blockSize
        self.doubleQuant = doubleQuant
        self.dtype = dtype
        self.nestedOffset = nestedOffset
        self.threads = threads
    }
}

/// bitsandbytes-compatible 4-bit blockwise quantization (NF4 and FP4), models.md §2.3.
///
/// Bit-exact with bitsandbytes 0.50.2's CPU path (`quantize_4bit` default kernel; `dequantize_4bit` reference):
/// - full blocks: `absmax = max|w|`, `scaled = clamp(w * (1 / max(absmax, 1e-38)), -1, 1)`;
/// - a partial last block: `absmax = max(max|w|, 1e-38)` (stored clamped), `scaled = clamp(w / absmax, -1, 1)`;
/// - code = the sorted-codebook index `#{midpoints < scaled}` (a value exactly on a midpoint takes the lower entry),
///   mapped back to FP4's code order; an odd element count pads one scaled 0.0;
/// - element 2j is the high nibble of byte j, element 2j+1 the low nibble;
/// - dequantized `w = quant_map[code] * absmax[i / blocksize]` in float32.
/// The error is at most half the widest codebook gap times the block absmax — except in blocks whose absmax is below
/// the 1e-38 clamp (subnormal weights), where the scaled values shrink toward 0 and the error is bounded by the absmax.
/// `NF4VectorTests` proves all of it against bitsandbytes' own bytes and floats.
public enum NF4Quantizer {
    /// bitsandbytes' `clamp(min=1e-38)` as float32 (a subnormal).
    static let minAbsmax = Float(bitPattern: 0x006C_E3EE)

    // MARK: - Public API

    /// Quantizes `x` (row-major, `shape` outermost first) to NF4/FP4.
    /// - Throws: ``QuantError/nonFinite(value:index:rowLength:)`` for NaN/Inf, ``WeightLayoutError`` for a bad block
    ///   size, dtype or shape.
    public static func quantize(_ x: UnsafeBufferPointer<Float>, shape: [Int], options: NF4Options = NF4Options()) throws -> NF4Tensor {
        let bs = options.blockSize
        guard FourBitType.validBlockSizes.contains(bs) else {
            throw WeightLayoutError.unsupportedBlockSize(what: "4-bit block size", found: bs, supported: FourBitType.validBlockSizes)
        }
        guard NF4QuantState.dtypes.contains(options.dtype) else {
            throw WeightLayoutError.badQuantState(key: "dtype", problem: "\(options.dtype) is not one of \(NF4QuantState.dtypes)")
        }
        let n: Int
        do { n = try ElementType.elementCount(shape) } catch { throw WeightLayoutError.badShape("shape \(shape): \(error)") }
        guard n == x.count else { throw QuantError.bufferSize(what: "NF4 input for shape \(shape)", expected: n, found: x.count) }
        if let i = FiniteCheck.firstNonFinite(x) {
            throw QuantError.nonFinite(value: x[i], index: i, rowLength: max(1, shape.last ?? n))
        }
        let nb = (n + bs - 1) / bs
        var packed = [UInt8](repeating: 0, count: (n + 1) / 2)
        var absmax = [Float](repeating: 0, count: nb)
        let kernel = EncodeKernel(type: options.type)
        packed.withUnsafeMutableBufferPointer { p in
            absmax.withUnsafeMutableBufferPointer { a in
                Parallel.forEachChunk(nb, threads: options.threads, minChunk: max(1, 32768 / bs)) { blocks in
                    for b in blocks { kernel.encodeBlockFast(x, n: n, block: b, blockSize: bs, packed: p, absmax: a) }
                }
            }
        }
        let state: NF4QuantState
        let scales: NF4Tensor.Absmax
        if options.doubleQuant {
            let offset = options.nestedOffset ?? DoubleQuantization.meanOffset(absmax)
            let (codes, nested) = DoubleQuantization.quantize(absmax, offset: offset)
            scales = .doubleQuantized(codes: codes, nestedAbsmax: nested, nestedQuantMap: DynamicMap.values)
            state = NF4QuantState(quantType: options.type, blockSize: bs, dtype: options.dtype, shape: shape,
                                  nested: .init(offset: offset))
        } else {
            scales = .float(absmax)
            state = NF4QuantState(quantType: options.type, blockSize: bs, dtype: options.dtype, shape: shape, nested: nil)
        }
        return NF4Tensor(state: state, packed: packed, quantMap: options.type.codebook, absmax: scales)
    }

    /// Array convenience for ``quantize(_:shape:options:)``.
    public static func quantize(_ x: [Float], shape: [Int], options: NF4Options = NF4Options()) throws -> NF4Tensor {
        try x.withUnsafeBufferPointer { try quantize($0, shape: shape, options: options) }
    }

    /// Dequantizes to float32 (`into.count` must be the element count). Validates the tensor first.
    public static func dequantize(_ t: NF4Tensor, into: UnsafeMutableBufferPointer<Float>,
                                  threads: Int = Parallel.coreCount) throws {
        let absmax = try t.absmaxValues()
        let n = t.elementCount, bs = t.state.blockSize
        guard into.count == n else { throw QuantError.bufferSize(what: "NF4 output", expected: n, found: into.count) }
        let kernel = DecodeKernel(codebook: t.quantMap)
        t.packed.withUnsafeBufferPointer { p in
            absmax.withUnsafeBufferPointer { a in
                Parallel.forEachChunk(absmax.count, threads: threads, minChunk: max(1, 32768 / bs)) { blocks in
                    for b in blocks { kernel.decodeBlockFast(p, absmax: a[b], n: n, block: b, blockSize: bs, into: into) }
                }
            }
        }
    }

    /// Array convenience for ``dequantize(_:into:threads:)``.
    public static func dequantize(_ t: NF4Tensor, threads: Int = Parallel.coreCount) throws -> [Float] {
        try t.validate()   // before allocating: a hostile shape must not size the buffer
        var out = [Float](repeating: 0, count: t.elementCount)
        try out.withUnsafeMutableBufferPointer { try dequantize(t, into: $0, threads: threads) }
        return out
    }
}
