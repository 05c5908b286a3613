/// Double quantization of 4-bit absmax values ("compress_statistics", models.md §2.4).
///
/// The float32 absmax of every 4-bit block is replaced by an 8-bit code of `absmax − offset` in bitsandbytes'
/// dynamic map, blockwise over chunks of 256 (each chunk keeps its own float32 absmax, `nested_absmax`).
/// Quantizing follows bitsandbytes' CPU kernel bit for bit (`DynamicMap.code`); dequantizing is
/// `nested_quant_map[code] * nested_absmax[b / 256] + offset` in float32, multiply then add.
public enum DoubleQuantization {
    /// bitsandbytes' nested block size (fixed: `quantize_blockwise(..., blocksize=256)`).
    public static let nestedBlockSize = 256

    /// The offset Ingot subtracts: the mean of the absmax values, summed in Double and rounded once to float32.
    ///
    /// bitsandbytes takes `absmax.mean()` in torch float32, whose summation order depends on the CPU's vector width
    /// and thread count, so its last bit is not reproducible across machines. The offset is stored in the file, so any
    /// value decodes correctly; Ingot uses the correctly rounded mean (deterministic everywhere), and
    /// ``quantize(_:offset:)`` accepts bitsandbytes' own offset when a byte-for-byte comparison is wanted.
    public static func meanOffset(_ absmax: [Float]) -> Float {
        guard !absmax.isEmpty else { return 0 }
        var sum = 0.0
        for a in absmax { sum += Double(a) }
        return Float(sum / Double(absmax.count))
    }

    /// Codes and per-chunk absmax for `absmax − offset`.
    /// - Returns: `codes` (one per 4-bit block) and `nestedAbsmax` (one per chunk of 256 codes).
    public static func quantize(_ absmax: [Float], offset: Float) -> (codes: [UInt8], nestedAbsmax: [Float]) {
        let n = absmax.count
        let chunks = (n + nestedBlockSize - 1) / nestedBlockSize
        var codes = [UInt8](repeating: 0, count: n)
        var nested = [Float](repeating: 0, count: chunks)
        for c in 0..<chunks {
            let lo = c * nestedBlockSize, hi = min(n, lo + nestedBlockSize)
            var amax: Float = 0
            for i in lo..<hi { amax = max(amax, abs(absmax[i] - offset)) }
            nested[c] = amax
            // An all-zero chunk (every absmax equal to the offset) divides 0 by 0: code 0, as bitsandbytes stores.
            guard amax > 0 else { continue }
            for i in lo..<hi { codes[i] = DynamicMap.code(normalized: (absmax[i] - offset) / amax) }
        }
        return (codes, nested)
    }

    /// The float32 absmax values back from codes, chunk absmax and offset (`dequantize_blockwise` + offset).
    /// `codes.count` must be at most `nestedAbsmax.count * blockSize` and `quantMap` 256 long (``NF4Tensor/validate()``
    /// checks both before any file-read state gets here).
    public static func dequantize(codes: [UInt8], nestedAbsmax: [Float], quantMap: [Float], offset: Float,
                                  blockSize: Int = nestedBlockSize) -> [Float] {
        precondition(quantMap.count == 256 && codes.count <= nestedAbsmax.count * blockSize, "double-quant sizes")
        var out = [Float](repeating: 0, count: codes.count)
        for i in 0..<codes.count {
            let scaled = quantMap[Int(codes[i])] * nestedAbsmax[i / blockSize]
            out[i] = scaled + offset
        }
        return out
    }
}
