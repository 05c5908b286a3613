import IngotCore

/// Q6_K: super-blocks of 256 (210 bytes): 16 groups of 16 six-bit codes (low nibbles in `ql`, high 2 bits in
/// `qh`), signed 8-bit group scales, one F16 super-scale; value = `d*scales[g]*(q-32)`.
///
/// Bit-exact with ggml's `quantize_row_q6_K_ref` (`make_qx_quants(16, 32, …, rmse 1)`), `quantize_row_q6_K_impl`
/// (importance used raw as the weights) and `dequantize_row_q6_K`; proved by `GGMLVectorTests`.
public enum Q6_K: BlockCodec {
    public static let type = ElementType.q6_K
    static let oQl = 0, oQh = 128, oScales = 192, oD = 208

    /// The lane-parallel encoder (``Q6_KFast``), bytes equal to ``encodeReference(_:_:blocks:into:)``.
    public static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                  into y: UnsafeMutableRawPointer) {
        Q6_KFast.encode(x, importance, blocks: nb, into: y)
    }

    /// The vectorized decoder (``Q6_KFast/decode(_:blocks:into:)``).
    public static func decodeFast(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        Q6_KFast.decode(q, blocks: nb, into: y)
    }

    /// `quantize_row_q6_K_ref` when `qw` is nil, `quantize_row_q6_K_impl` otherwise.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: qk) { lb in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16) { sb in
                let L = lb.baseAddress!, scales = sb.baseAddress!
                for i in 0..<nb {
                    let xs = x + i * qk, yb = y + i * bytes
                    var maxScale: Float = 0, maxAbsScale: Float = 0
                    for ib in 0..<16 {
                        let scale = QuantMath.makeQxQuants(16, 32, xs + 16 * ib, L + 16 * ib, rmseType: 1,
                                                           qw.map { $0 + i * qk + 16 * ib })
                        scales[ib] = scale
                        let a = abs(scale)
                        if a > maxAbsScale { maxAbsScale = a; maxScale = scale }
                    }
                    if maxAbsScale < QuantMath.groupMaxEps {
                        yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                        continue
                    }
                    let iscale = -128 / maxScale
                    let dh = QuantMath.storeF16(1 / iscale, yb, oD)
                    for ib in 0..<16 {
                        let s = Int8(truncatingIfNeeded: Swift.min(127, QuantMath.nearestInt(iscale * scales[ib])))
                        yb.storeBytes(of: s, toByteOffset: oScales + ib, as: Int8.self)
                    }
                    let dAll = HalfPrecision.float(fromF16: dh)
                    for j in 0..<16 {
                        let d = dAll * Float(yb.load(fromByteOffset: oScales + j, as: Int8.self))
                        if d == 0 { continue }
                        for ii in 0..<16 {
                            let l = QuantMath.nearestInt(xs[16 * j + ii] / d)
                            L[16 * j + ii] = Int8(Swift.max(-32, Swift.min(31, l)) + 32)
                        }
                    }
                    L.withMemoryRebound(to: UInt8.self, capacity: qk) { pack($0, into: yb) }
                }
            }
        }
    }

    /// ql/qh packing of 256 codes 0…63.
    @inline(__always)
    static func pack(_ L: UnsafePointer<UInt8>, into yb: UnsafeMutableRawPointer) {
        for h in 0..<2 {
            for l in 0..<32 {
                let j = 128 * h + l
                let q1 = L[j] & 0xF, q2 = L[j + 32] & 0xF, q3 = L[j + 64] & 0xF, q4 = L[j + 96] & 0xF
                yb.storeBytes(of: q1 | (q3 << 4), toByteOffset: oQl + 64 * h + l, as: UInt8.self)
                yb.storeBytes(of: q2 | (q4 << 4), toByteOffset: oQl + 64 * h + 32 + l, as: UInt8.self)
                let qh = (L[j] >> 4) | ((L[j + 32] >> 4) << 2) | ((L[j + 64] >> 4) << 4) | ((L[j + 96] >> 4) << 6)
                yb.storeBytes(of: qh, toByteOffset: oQh + 32 * h + l, as: UInt8.self)
            }
        }
    }

    /// `dequantize_row_q6_K`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = blockBytes
        var y = out
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, oD)
            for h in 0..<2 {
                let ql = oQl + 64 * h, qh = oQh + 32 * h, sc = oScales + 8 * h
                for l in 0..<32 {
                    let isc = l / 16
                    let a = b.load(fromByteOffset: ql + l, as: UInt8.self)
                    let c = b.load(fromByteOffset: ql + 32 + l, as: UInt8.self)
                    let hb = b.load(fromByteOffset: qh + l, as: UInt8.self)
                    let q1 = Int32((a & 0xF) | (((hb >> 0) & 3) << 4)) - 32
                    let q2 = Int32((c & 0xF) | (((hb >> 2) & 3) << 4)) - 32
                    let q3 = Int32((a >> 4) | (((hb >> 4) & 3) << 4)) - 32
                    let q4 = Int32((c >> 4) | (((hb >> 6) & 3) << 4)) - 32
                    @inline(__always) func s(_ k: Int) -> Float { Float(b.load(fromByteOffset: sc + isc + k, as: Int8.self)) }
                    y[l] = d * s(0) * Float(q1)
                    y[l + 32] = d * s(2) * Float(q2)
                    y[l + 64] = d * s(4) * Float(q3)
                    y[l + 96] = d * s(6) * Float(q4)
                }
                y += 128
            }
        }
    }
}
