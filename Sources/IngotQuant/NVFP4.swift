import IngotCore

/// NVFP4 (36 bytes / 64 elements) = `d:u8[4] | qs:u8[32]`: four 16-element sub-blocks, each with an unsigned E4M3
/// scale (UE4M3, bias 7; `ggml_ue4m3_to_fp32` already includes the factor 0.5 that pairs with the doubled E2M1
/// values of ``MXFP4/values``). Sub-block s uses bytes `qs[8s..<8s+8]`: low nibble → element j, high nibble →
/// element j + 8. Value = `kvalues_mxfp4[nib] * ue4m3(d[s])`. The per-tensor second-level scale of NVIDIA's format
/// is a separate tensor and is not applied here (as in ggml). Bit-exact with `dequantize_row_nvfp4`
/// (`GGMLDecodeVectorTests`). Decode only (llama-quantize cannot produce it).
///
/// Layout (`block_nvfp4` in ggml-common.h): `{ uint8_t d[QK_NVFP4/QK_NVFP4_SUB]; uint8_t qs[QK_NVFP4/2]; }`, 4 sub-blocks of 16.
public enum NVFP4: BlockDecoder {
    public static let type = ElementType.nvfp4

    /// `ggml_ue4m3_to_fp32` for every byte: 0x00 and 0x7F are 0; exponent `(x >> 3) & 15`, mantissa `x & 7`;
    /// `man · 2⁻⁹` for exponent 0, else `(1 + man/8) · 2^(exp−7)`; times 0.5. Bit 7 is ignored (0xFF decodes to 240).
    public static let ue4m3: [Float] = (0..<256).map { x -> Float in
        if x == 0 || x == 0x7F { return 0 }
        let e = (x >> 3) & 0xF, m = x & 7
        let raw: Float = e == 0 ? Float(m) * 0x1p-9 : (1 + Float(m) / 8) * Float(sign: .plus, exponent: e - 7, significand: 1)
        return raw * 0.5
    }

    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        for i in 0..<nb {
            let b = q + bytes * i
            for s in 0..<4 {
                let d = ue4m3[Int(b.load(fromByteOffset: s, as: UInt8.self))]
                for j in 0..<8 {
                    let byte = b.load(fromByteOffset: 4 + 8 * s + j, as: UInt8.self)
                    y[qk * i + 16 * s + j] = Float(MXFP4.values[Int(byte & 15)]) * d
                    y[qk * i + 16 * s + j + 8] = Float(MXFP4.values[Int(byte >> 4)]) * d
                }
            }
        }
    }
}
