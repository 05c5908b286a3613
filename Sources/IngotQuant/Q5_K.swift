import IngotCore

/// Q5_K: super-blocks of 256 (176 bytes): as Q4_K plus a fifth bit per code in `qh`; value = `d*sc*q - dmin*m`,
/// q ∈ 0…31.
///
/// Bit-exact with ggml's `quantize_row_q5_K_ref` (`make_qkx2_quants(32, 31, …, -0.5, 0.1, 15)`),
/// `quantize_row_q5_K_impl` (importance) and `dequantize_row_q5_K`; proved by `GGMLVectorTests`.
public enum Q5_K: BlockCodec {
    public static let type = ElementType.q5_K
    static let oD = 0, oDmin = 2, oScales = 4, oQh = 16, oQs = 48

    /// The lane-parallel encoder (``KQuant45Fast``), bytes equal to ``encodeReference(_:_:blocks:into:)``.
    public static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks nb: Int,
                                  into y: UnsafeMutableRawPointer) {
        KQuant45Fast.encode(x, importance, blocks: nb, into: y, nmax: 31, qk: blockElements, bytes: blockBytes, highBits: true)
    }

    /// `quantize_row_q5_K_ref` when `qw` is nil, `quantize_row_q5_K_impl` otherwise.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        KQuant45.encode(x, qw, blocks: nb, into: y, nmax: 31, qk: blockElements, bytes: blockBytes, highBits: true)
    }

    /// `dequantize_row_q5_K`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = blockBytes
        var y = out
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, oD), min = QuantMath.loadF16(b, oDmin)
            var u1: UInt8 = 1, u2: UInt8 = 2
            for c in 0..<4 {
                let (sc1, m1) = KQuantPacking.scaleMinK4(2 * c, b, oScales)
                let (sc2, m2) = KQuantPacking.scaleMinK4(2 * c + 1, b, oScales)
                let d1 = d * Float(sc1), mm1 = min * Float(m1)
                let d2 = d * Float(sc2), mm2 = min * Float(m2)
                for l in 0..<32 {
                    let ql = b.load(fromByteOffset: oQs + 32 * c + l, as: UInt8.self)
                    let qh = b.load(fromByteOffset: oQh + l, as: UInt8.self)
                    y[l] = d1 * Float(Int32(ql & 0xF) + (qh & u1 != 0 ? 16 : 0)) - mm1
                    y[32 + l] = d2 * Float(Int32(ql >> 4) + (qh & u2 != 0 ? 16 : 0)) - mm2
                }
                y += 64
                u1 <<= 2; u2 <<= 2
            }
        }
    }
}
