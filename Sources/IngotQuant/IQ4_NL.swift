import IngotCore

/// IQ4_NL: blocks of 32 four-bit indices into a non-linear table with one F16 scale (18 bytes);
/// value = `d * kvalues_iq4nl[nib]`, nibble order as Q4_0.
///
/// Bit-exact with ggml's `quantize_iq4_nl` → `quantize_row_iq4_nl_impl(32, 32, 16, …, ntry 7)` with and without
/// importance (no importance weighs by x²; with it, `qw * sqrt(sigma2 + x²)`, sigma2 = 2·Σx²/32 per block), using
/// `best_index_int8`; and `dequantize_row_iq4_nl`. Proved by `GGMLVectorTests`.
public enum IQ4_NL: BlockCodec {
    public static let type = ElementType.iq4_nl
    static let ntry = 7

    /// `kvalues_iq4nl` (ggml-common.h; note the last two entries are 89 and 113, as ggml's decoded fixture floats confirm).
    public static let values: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

    /// `quantize_row_iq4_nl_impl` for one 32-element block per call, as `quantize_iq4_nl` drives it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        values.withUnsafeBufferPointer { vb in
            let val = vb.baseAddress!
            let v0 = Float(val[0])
            withUnsafeTemporaryAllocation(of: Float.self, capacity: qk) { weight in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk) { L in
                    for ib in 0..<nb {
                        let xb = x + ib * qk, yb = y + ib * bytes
                        var sigma2: Float = 0
                        for j in 0..<qk { sigma2 += xb[j] * xb[j] }
                        sigma2 *= 2 / Float(qk)
                        if let qw {
                            let q = qw + ib * qk
                            for j in 0..<qk { weight[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
                        } else {
                            for j in 0..<qk { weight[j] = xb[j] * xb[j] }
                        }
                        var amax: Float = 0, max: Float = 0
                        for j in 0..<qk {
                            let ax = abs(xb[j])
                            if ax > amax { amax = ax; max = xb[j] }
                        }
                        var scale: Float = 0
                        if amax >= QuantMath.groupMaxEps {
                            var d = -max / v0
                            var id = 1 / d
                            var sumqx: Float = 0, sumq2: Float = 0
                            for j in 0..<qk {
                                let l = QuantMath.bestIndexInt8(16, val, id * xb[j])
                                let q = Float(val[l]), w = weight[j]
                                sumqx += w * q * xb[j]
                                sumq2 += w * q * q
                            }
                            d = sumq2 > 0 ? sumqx / sumq2 : 0
                            var best = d * sumqx
                            for itry in -ntry...ntry {
                                id = Float(itry + Int(val[0])) / max
                                sumqx = 0; sumq2 = 0
                                for j in 0..<qk {
                                    let l = QuantMath.bestIndexInt8(16, val, id * xb[j])
                                    let q = Float(val[l]), w = weight[j]
                                    sumqx += w * q * xb[j]
                                    sumq2 += w * q * q
                                }
                                if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                                    d = sumqx / sumq2; best = d * sumqx
                                }
                            }
                            scale = d
                        }
                        // One block per super-block: store the scale and re-pick every index with it.
                        _ = QuantMath.storeF16(scale, yb, 0)
                        let id: Float = scale != 0 ? 1 / scale : 0
                        for j in 0..<qk { L[j] = UInt8(QuantMath.bestIndexInt8(16, val, id * xb[j])) }
                        for j in 0..<16 { yb.storeBytes(of: L[j] | (L[j + 16] << 4), toByteOffset: 2 + j, as: UInt8.self) }
                    }
                }
            }
        }
    }

    /// `dequantize_row_iq4_nl`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, 0)
            for j in 0..<16 {
                let v = b.load(fromByteOffset: 2 + j, as: UInt8.self)
                y[i * qk + j] = d * Float(values[Int(v & 0x0F)])
                y[i * qk + j + 16] = d * Float(values[Int(v >> 4)])
            }
        }
    }

}
