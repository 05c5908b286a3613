import IngotCore

/// bitsandbytes' two 4-bit codes: NF4 (NormalFloat) and FP4 (its own E2M1 variant, exponent bias 2).
///
/// The codebooks are bitsandbytes' `get_4bit_type("nf4" | "fp4")` float32 values, given here as bit patterns so no
/// decimal→float rounding can creep in (models.md §2.2); `NF4VectorTests` holds them equal to the `quant_map`
/// bitsandbytes writes.
public enum FourBitType: String, CaseIterable, Sendable {
    case nf4
    case fp4

    /// The 16 code values, index = the 4-bit code (`weight.quant_map` in a checkpoint).
    public var codebook: [Float] {
        switch self {
        case .nf4: return FourBitType.nf4Values
        case .fp4: return FourBitType.fp4Values
        }
    }

    /// Ingot's element type for this code (`.nf4` / `.fp4`).
    public var elementType: ElementType { self == .nf4 ? .nf4 : .fp4 }

    /// The 4-bit code at each position of the codebook sorted by value (`torch.argsort(code)` in bitsandbytes).
    /// NF4's table is already sorted; FP4's is not, and its two zeros (codes 0 and 8, both +0.0) sort as 0 then 8.
    var sortedCodes: [UInt8] {
        switch self {
        case .nf4: return Array(0..<16)
        case .fp4: return [11, 10, 13, 12, 15, 14, 9, 0, 8, 1, 6, 7, 4, 5, 2, 3]
        }
    }

    /// The 15 float32 midpoints `(sorted[i] + sorted[i+1]) / 2` bitsandbytes bucketizes against.
    var midpoints: [Float] {
        let s = sortedCodes.map { codebook[Int($0)] }
        return (0..<15).map { (s[$0] + s[$0 + 1]) / 2 }
    }

    static let nf4Values: [Float] = [
        0xBF80_0000, 0xBF32_39B1, 0xBF06_6B30, 0xBECA_32A0, 0xBE91_A24D, 0xBE3D_353F, 0xBDBA_7871, 0x0000_0000,
        0x3DA2_FAFF, 0x3E24_CAE3, 0x3E7C_04DD, 0x3EAD_033A, 0x3EE1_A4B8, 0x3F10_07AB, 0x3F39_13B3, 0x3F80_0000,
    ].map { Float(bitPattern: $0) }

    /// `[0, 0.0625, 8, 12, 4, 6, 2, 3, -0, -0.0625, -8, -12, -4, -6, -2, -3] / 12` in float32 (bitsandbytes writes
    /// `-0` as a Python int, so code 8 is +0.0).
    static let fp4Values: [Float] = [
        0x0000_0000, 0x3BAA_AAAB, 0x3F2A_AAAB, 0x3F80_0000, 0x3EAA_AAAB, 0x3F00_0000, 0x3E2A_AAAB, 0x3E80_0000,
        0x0000_0000, 0xBBAA_AAAB, 0xBF2A_AAAB, 0xBF80_0000, 0xBEAA_AAAB, 0xBF00_0000, 0xBE2A_AAAB, 0xBE80_0000,
    ].map { Float(bitPattern: $0) }

    /// The block sizes bitsandbytes accepts for 4-bit quantization.
    public static let validBlockSizes = [32, 64, 128, 256, 512, 1024, 2048, 4096]
}
