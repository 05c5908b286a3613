/// Lossless repacking of Hugging Face / OCP MXFP4 (gpt-oss `*_blocks` + `*_scales`) into ggml `block_mxfp4`.
///
/// Source, per group of 32 values: 16 bytes where byte i holds element 2i in its low nibble and element 2i+1 in its
/// high nibble, and one E8M0 scale byte `s` kept in a separate tensor; value = E2M1[code] · 2^(s−127).
///
/// ggml (`block_mxfp4` in ggml-common.h): the scale byte first, then 16 bytes where byte j holds element j in its
/// low nibble and element j+16 in its high nibble; value = kvalues_mxfp4[code] · 2^(e−128) with kvalues = 2·E2M1,
/// so codes and exponent carry over unchanged. This is llama.cpp's `repack_mxfp4_blocks` /
/// gpt-oss `transform_nibble_layout`; `MXFP4RepackTests` decodes both layouts to the same floats.
public enum MXFP4Repack {
    /// Bytes of one ggml block.
    public static let blockBytes = 17

    /// Repacks `groups` groups: `blocks` has 16·groups bytes, `scales` has `groups` bytes, `out` receives 17·groups.
    @inline(__always)
    public static func repack(blocks: UnsafePointer<UInt8>, scales: UnsafePointer<UInt8>,
                              groups: Int, into out: UnsafeMutablePointer<UInt8>) {
        for g in 0..<groups {
            let src = blocks + g * 16
            let dst = out + g * 17
            dst[0] = scales[g]
            // Element k lives in byte k/2, low nibble when k is even.
            for j in 0..<16 {
                let a = j, b = j + 16
                let lo = (src[a >> 1] >> ((a & 1) << 2)) & 0x0F
                let hi = (src[b >> 1] >> ((b & 1) << 2)) & 0x0F
                dst[1 + j] = lo | (hi << 4)
            }
        }
    }

    /// E2M1 values by code (OCP MX spec), as transformers decodes them.
    public static let e2m1: [Float] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]

    /// Decodes the Hugging Face layout (the reference for the repack tests): `groups` groups into 32·groups floats.
    public static func decodeHF(blocks: UnsafePointer<UInt8>, scales: UnsafePointer<UInt8>, groups: Int,
                                into out: UnsafeMutablePointer<Float>) {
        for g in 0..<groups {
            // ldexp(v, s − 127), as transformers computes it (0 stays 0 even at s = 255).
            let e = Int(scales[g]) - 127
            func value(_ code: UInt8) -> Float {
                let v = e2m1[Int(code)]
                return Float(sign: v.sign, exponent: e, significand: v.magnitude)
            }
            for i in 0..<16 {
                let byte = blocks[g * 16 + i]
                out[g * 32 + 2 * i] = value(byte & 0x0F)
                out[g * 32 + 2 * i + 1] = value(byte >> 4)
            }
        }
    }
}
