/// transformers' MXFP4 checkpoint layout (gpt-oss `*_blocks` / `*_scales`), decoded as
/// `transformers.integrations.mxfp4.convert_moe_packed_tensors` does (shared/docs/models.md §3.7):
/// each group of 32 values along the row is 16 bytes (element 2j in the LOW nibble, 2j+1 in the HIGH nibble)
/// and one E8M0 scale byte; value = E2M1[nibble] · 2^(scale − 127). No special case for scale 255, as transformers.
enum MXFP4Split {
    /// E2M1 code → value.
    static let e2m1: [Float] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]
    /// E8M0 byte → 2^(s−127), including the subnormal 2^-127 and +Inf for 255 (what `ldexp` gives).
    static let scale: [Float] = (0..<256).map { s in s == 255 ? .infinity : Float(sign: .plus, exponent: s - 127, significand: 1) }

    /// Decodes rows `r` of a `[rows, cols]` matrix into `dst` (`r.count × cols` floats, row-major).
    static func decode(blocks: UnsafeRawPointer, scales: UnsafeRawPointer, rows r: Range<Int>, cols: Int,
                       into dst: UnsafeMutablePointer<Float>) {
        let groups = cols / 32
        e2m1.withUnsafeBufferPointer { lut in
            for (i, row) in r.enumerated() {
                for g in 0..<groups {
                    let s = scale[Int(scales.load(fromByteOffset: row * groups + g, as: UInt8.self))]
                    let src = blocks + (row * groups + g) * 16
                    let o = dst + i * cols + g * 32
                    for j in 0..<16 {
                        let b = src.load(fromByteOffset: j, as: UInt8.self)
                        o[2 * j] = lut[Int(b & 0x0F)] * s
                        o[2 * j + 1] = lut[Int(b >> 4)] * s
                    }
                }
            }
        }
    }
}
