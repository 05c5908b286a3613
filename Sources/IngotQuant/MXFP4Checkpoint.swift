import IngotCore

/// The Hugging Face / OCP MXFP4 checkpoint layout (gpt-oss `*_blocks` + `*_scales`), decoded exactly as
/// transformers' `convert_moe_packed_tensors` (`transformers/integrations/mxfp4.py`) decodes it. The one decoder of
/// this layout in Ingot: inference's weight matrices and the repack tests both use it.
///
/// Layout, per group of 32 values along a row: 16 bytes where byte i holds element 2i in its LOW nibble and element
/// 2i+1 in its HIGH nibble (E2M1 codes, bit 3 the sign), and one E8M0 scale byte `s` in the separate `*_scales`
/// tensor (one byte per group, same row-major order).
///
/// Value, as transformers computes it: `lut = FP4_VALUES` in the output dtype (bfloat16 by default), then
/// `torch.ldexp(lut[code], s - 127)`. PyTorch implements `ldexp(x, e)` as `x * pow(2.0, e)` (aten BinaryOps.cpp:
/// `at::mul_out(result, self, at::pow(2.0, other))`), with `pow(2.0, int32 tensor)` computed in float32 and the product
/// in float32 before it is rounded into the bfloat16 output. So:
/// - the scale is the float32 `2^(s−127)`: `s = 0` gives 2^-127, a float32 subnormal (kept: PyTorch does not flush
///   denormals by default); `s = 255` gives 2^128, which overflows float32 to `+Inf`;
/// - the value is the float32 product `E2M1[code] · scale`: at `s = 255` codes ±0 give `0 · Inf = NaN` and every
///   other code ±Inf; products above the float32 range (large codes at `s ≥ 253`) are ±Inf, as in PyTorch;
/// - the final rounding to bfloat16 changes nothing: every finite product is `m · 2^k` with `m ∈ {1, 1.5}` and
///   `k ≥ −128`, exact in bfloat16 (8 exponent bits like float32, 7 mantissa bits, subnormals down to 2^-133).
/// Hence the float32 result here equals transformers' bfloat16 (or float32) output widened to float32, for every
/// scale byte and code: `MXFP4CheckpointTests` checks all 256 × 16 against `Tests/Fixtures/vectors/mxfp4-hf-table.bin`,
/// made by `scripts/make_mxfp4_hf_table.py` from transformers' expression in NumPy.
///
/// ggml decodes a repacked `block_mxfp4` differently at `e = 255` (its `GGML_E8M0_TO_FP32_HALF(255)` is 2^127, so
/// values stay finite): a repack moves the bytes losslessly, but the two decoders only agree for scales 0…254
/// (products above float32's range are Inf in both).
public enum MXFP4Checkpoint {
    /// Values per group (`block size` of the OCP MX format; equal to ggml's QK_MXFP4, read from the type table).
    public static var groupElements: Int { ElementType.mxfp4.blockElements }
    /// Packed code bytes per group (two codes per byte); the scale byte lives in the separate scales tensor.
    public static var groupCodeBytes: Int { ElementType.mxfp4.blockElements / 2 }

    /// transformers' `FP4_VALUES`: E2M1 code → value (code 8 is −0).
    public static let e2m1: [Float] = [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.0, -0.5, -1, -1.5, -2, -3, -4, -6]

    /// E8M0 byte → float32 `2^(s−127)` as `pow(2.0, s − 127)` gives it: 2^-127 (subnormal) at 0, `+Inf` at 255.
    public static let scales: [Float] = (0..<256).map { s in
        s == 255 ? .infinity : Float(sign: .plus, exponent: s - 127, significand: 1)
    }

    /// The value of one code under one scale byte: the float32 product `E2M1[code] · 2^(s−127)` (see the type's notes).
    @inline(__always)
    public static func value(code: UInt8, scale s: UInt8) -> Float {
        e2m1[Int(code & 0x0F)] * scales[Int(s)]
    }

    /// Decodes `groups` consecutive groups: `blocks` has `16 · groups` bytes, `scales` `groups` bytes,
    /// `out` receives `32 · groups` floats in element order.
    public static func decode(blocks: UnsafeRawPointer, scales: UnsafeRawPointer, groups: Int,
                              into out: UnsafeMutablePointer<Float>) {
        let g32 = groupElements, g16 = groupCodeBytes
        e2m1.withUnsafeBufferPointer { lut in
            self.scales.withUnsafeBufferPointer { pow2 in
                for g in 0..<groups {
                    let s = pow2[Int(scales.load(fromByteOffset: g, as: UInt8.self))]
                    let src = blocks + g * g16
                    let o = out + g * g32
                    for j in 0..<g16 {
                        let b = src.load(fromByteOffset: j, as: UInt8.self)
                        o[2 * j] = lut[Int(b & 0x0F)] * s
                        o[2 * j + 1] = lut[Int(b >> 4)] * s
                    }
                }
            }
        }
    }

    /// Decodes rows `r` of a `[rows, cols]` matrix stored in this layout (`cols` a multiple of 32; row `i` has its
    /// `cols / 32` groups at `blocks + i · cols / 2` and `scales + i · cols / 32`) into `dst`, `r.count × cols`
    /// floats, row-major.
    public static func decode(blocks: UnsafeRawPointer, scales: UnsafeRawPointer, rows r: Range<Int>, cols: Int,
                              into dst: UnsafeMutablePointer<Float>) {
        let groups = cols / groupElements
        for (i, row) in r.enumerated() {
            decode(blocks: blocks + row * groups * groupCodeBytes, scales: scales + row * groups, groups: groups,
                   into: dst + i * cols)
        }
    }
}
