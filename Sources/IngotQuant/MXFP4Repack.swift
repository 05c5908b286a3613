import IngotCore

/// Lossless repacking of Hugging Face / OCP MXFP4 (gpt-oss `*_blocks` + `*_scales`, see ``MXFP4Checkpoint``) into
/// ggml `block_mxfp4` (``MXFP4``).
///
/// Source, per group of 32 values: 16 bytes where byte i holds element 2i in its low nibble and element 2i+1 in its
/// high nibble, and one E8M0 scale byte `s` kept in a separate tensor; value = E2M1[code] · 2^(s−127).
///
/// ggml (`block_mxfp4` in ggml-common.h: `{ uint8_t e; uint8_t qs[QK_MXFP4/2]; }`): the scale byte first, then 16
/// bytes where byte j holds element j in its low nibble and element j+16 in its high nibble; value =
/// kvalues_mxfp4[code] · 2^(e−128) with kvalues = 2·E2M1, so codes and exponent carry over unchanged. This is
/// llama.cpp's `repack_mxfp4_blocks` / gpt-oss `transform_nibble_layout`; `MXFP4RepackTests` decodes both layouts
/// to the same floats.
///
/// It lives in IngotQuant, beside both decoders, because it is block-layout knowledge (which nibble is which element,
/// which byte is the exponent), not file-format knowledge: readers hand over the two tensors' bytes untouched.
public enum MXFP4Repack {
    /// Repacks `groups` groups: `blocks` has 16·groups bytes, `scales` has `groups` bytes, `out` receives
    /// `groups · ElementType.mxfp4.blockBytes` (17·groups) bytes.
    @inline(__always)
    public static func repack(blocks: UnsafePointer<UInt8>, scales: UnsafePointer<UInt8>,
                              groups: Int, into out: UnsafeMutablePointer<UInt8>) {
        let half = MXFP4Checkpoint.groupCodeBytes, bytes = MXFP4.blockBytes
        for g in 0..<groups {
            let src = blocks + g * half
            let dst = out + g * bytes
            dst[0] = scales[g]
            // Element k lives in byte k/2, low nibble when k is even.
            for j in 0..<half {
                let a = j, b = j + half
                let lo = (src[a >> 1] >> ((a & 1) << 2)) & 0x0F
                let hi = (src[b >> 1] >> ((b & 1) << 2)) & 0x0F
                dst[1 + j] = lo | (hi << 4)
            }
        }
    }
}
