import IngotCore

/// IQ4_NL: blocks of 32 four-bit indices into a non-linear table with one F16 scale (18 bytes);
/// value = `d * kvalues_iq4nl[nib]`, nibble order as Q4_0.
///
/// Bit-exact with ggml's `quantize_iq4_nl` → `quantize_row_iq4_nl_impl(32, 32, 16, …, ntry 7)` with and without
/// importance (no importance weighs by x²; with it, `qw * sqrt(sigma2 + x²)`, sigma2 = 2·Σx²/32 per block), using
/// `best_index_int8`; and `dequantize_row_iq4_nl`. Proved by `GGMLVectorTests`.
///
/// `quantize_row_iq4_nl_impl` itself (``quantizeSuperBlock(_:_:count:values:weight:scales:codes:subScales:)``) is
/// shared with ``IQ4_XS``, which runs it on super-blocks of 256 with 6-bit sub-block scales.
///
/// Layout (`block_iq4_nl` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK4_NL/2]; }`.
public enum IQ4_NL: BlockCodec {
    public static let type = ElementType.iq4_nl
    /// The `ntry` `quantize_iq4_nl` and `quantize_iq4_xs` pass: scales `-max/(values[0] + itry)`, itry in −7…7.
    static let ntry = 7
    /// Elements per sub-block, each with its own scale search (`block_size` 32 in both callers).
    static let subBlock = 32

    /// `kvalues_iq4nl` (ggml-common.h; note the last two entries are 89 and 113, as ggml's decoded fixture floats confirm).
    public static let values: [Int8] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

    /// `quantize_row_iq4_nl_impl` for one 32-element block per call, as `quantize_iq4_nl` drives it.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        values.withUnsafeBufferPointer { vb in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: subBlock + 1) { work in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk + 1) { L in
                    let weight = work.baseAddress!, scale = work.baseAddress! + subBlock
                    for ib in 0..<nb {
                        let d = quantizeSuperBlock(x + ib * qk, qw.map { $0 + ib * qk }, count: qk, values: vb.baseAddress!,
                                                   weight: weight, scales: scale, codes: L.baseAddress!,
                                                   subScales: L.baseAddress! + qk)
                        _ = QuantMath.storeF16(d, y + ib * bytes, 0)
                        packNibbles(L.baseAddress!, count: qk, into: y + ib * bytes + 2)
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

    // MARK: - quantize_row_iq4_nl_impl (shared with IQ4_XS)

    /// ggml's `quantize_row_iq4_nl_impl(n, 32, x, …, values, qw, ntry 7)` for one super-block of `n` floats
    /// (32 for IQ4_NL, 256 for IQ4_XS): a scale search per 32-element sub-block, then
    /// - one sub-block: the scale is stored as is and every code re-picked with it;
    /// - several: the super-block scale `d = −max_scale/32` (max_scale the sub-block scale of largest magnitude),
    ///   each sub-block scale rounded to `l = nearest_int(scale/d)` in −32…31 (`subScales[ib] = l + 32`), and every
    ///   code re-picked with `d·l`.
    ///
    /// `codes` receives the `n` final 4-bit codes, `weight` is scratch for 32 floats, `scales` for n/32 floats,
    /// `subScales` for n/32 bytes (untouched for one sub-block). Returns the float ggml stores as the F16 `d`
    /// (`-0.0` when every sub-block is zero, as in ggml).
    static func quantizeSuperBlock(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, count n: Int,
                                   values val: UnsafePointer<Int8>, weight: UnsafeMutablePointer<Float>,
                                   scales: UnsafeMutablePointer<Float>, codes L: UnsafeMutablePointer<UInt8>,
                                   subScales: UnsafeMutablePointer<UInt8>) -> Float {
        let bs = subBlock, nsub = n / subBlock
        var sigma2: Float = 0
        for j in 0..<n { sigma2 += x[j] * x[j] }
        sigma2 *= 2 / Float(n)

        var maxScale: Float = 0, amaxScale: Float = 0
        for ib in 0..<nsub {
            let xb = x + ib * bs
            if let qw {
                let q = qw + ib * bs
                for j in 0..<bs { weight[j] = q[j] * (sigma2 + xb[j] * xb[j]).squareRoot() }
            } else {
                for j in 0..<bs { weight[j] = xb[j] * xb[j] }
            }
            let d = subBlockScale(xb, weight, val)
            scales[ib] = d
            if abs(d) > amaxScale { amaxScale = abs(d); maxScale = d }
        }

        if nsub == 1 {
            let id: Float = scales[0] != 0 ? 1 / scales[0] : 0
            for j in 0..<n { L[j] = UInt8(QuantMath.bestIndexInt8(16, val, id * x[j])) }
            return scales[0]
        }
        let d = -maxScale / 32
        let id: Float = d != 0 ? 1 / d : 0
        for ib in 0..<nsub {
            let l = Swift.max(-32, Swift.min(31, QuantMath.nearestInt(id * scales[ib])))
            let dl = d * Float(l)
            let idl: Float = dl != 0 ? 1 / dl : 0
            let xb = x + ib * bs, Lb = L + ib * bs
            for j in 0..<bs { Lb[j] = UInt8(QuantMath.bestIndexInt8(16, val, idl * xb[j])) }
            subScales[ib] = UInt8(l + 32)
        }
        return d
    }

    /// The scale search of one 32-element sub-block (the loop body of `quantize_row_iq4_nl_impl`): start from
    /// `d = −max/values[0]`, refit by weighted least squares, try `id = (itry + values[0])/max` for itry in −7…7 and
    /// keep the best fit. 0 when max |x| < GROUP_MAX_EPS.
    @inline(__always)
    static func subBlockScale(_ xb: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, _ val: UnsafePointer<Int8>) -> Float {
        let bs = subBlock
        var amax: Float = 0, max: Float = 0
        for j in 0..<bs {
            let ax = abs(xb[j])
            if ax > amax { amax = ax; max = xb[j] }
        }
        guard amax >= QuantMath.groupMaxEps else { return 0 }
        var d = -max / Float(val[0])
        var id = 1 / d
        var sumqx: Float = 0, sumq2: Float = 0
        for j in 0..<bs {
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
            for j in 0..<bs {
                let l = QuantMath.bestIndexInt8(16, val, id * xb[j])
                let q = Float(val[l]), w = weight[j]
                sumqx += w * q * xb[j]
                sumq2 += w * q * q
            }
            if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                d = sumqx / sumq2; best = d * sumqx
            }
        }
        return d
    }

    /// The nibble packing of `quantize_row_iq4_nl_impl`: per 32 codes, byte j = `L[j] | L[j + 16] << 4`.
    @inline(__always)
    static func packNibbles(_ L: UnsafePointer<UInt8>, count n: Int, into q: UnsafeMutableRawPointer) {
        for i in 0..<(n / 32) {
            for j in 0..<16 {
                q.storeBytes(of: L[32 * i + j] | (L[32 * i + 16 + j] << 4), toByteOffset: 16 * i + j, as: UInt8.self)
            }
        }
    }
}
