import IngotCore

/// IQ4_XS (136 bytes / 256 elements, 4.25 bpw) = `d:f16 | scales_h:u16 | scales_l:u8[4] | qs:u8[128]`: IQ4_NL's
/// non-linear 4-bit codes (`kvalues_iq4nl`) in eight sub-blocks of 32, each with a 6-bit scale `ls` (low nibble in
/// `scales_l[ib/2] >> 4·(ib%2)`, high two bits in `scales_h >> 2·ib`); value = `d · (ls − 32) · kvalues_iq4nl[nib]`,
/// nibble order as IQ4_NL within each sub-block.
///
/// Bit-exact with ggml's `quantize_iq4_xs` → `quantize_row_iq4_nl_impl(QK_K, 32, …, kvalues_iq4nl, qw, ntry 7)` with
/// and without importance (the same routine as IQ4_NL, ``IQ4_NL/quantizeSuperBlock(_:_:count:values:weight:scales:codes:subScales:)``,
/// on a 256-element super-block), and with `dequantize_row_iq4_xs`. Proved by `GGMLVectorTests`.
///
/// Layout (`block_iq4_xs` in ggml-common.h):
/// `{ ggml_half d; uint16_t scales_h; uint8_t scales_l[QK_K/64]; uint8_t qs[QK_K/2]; }`.
public enum IQ4_XS: BlockCodec {
    public static let type = ElementType.iq4_xs

    /// `quantize_iq4_xs` for one row: `quantize_row_iq4_nl_impl` per super-block, then the 6-bit scales packed.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes, nsub = qk / IQ4_NL.subBlock
        IQ4_NL.values.withUnsafeBufferPointer { vb in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: IQ4_NL.subBlock + nsub) { work in
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk + nsub) { L in
                    let weight = work.baseAddress!, scales = work.baseAddress! + IQ4_NL.subBlock
                    let codes = L.baseAddress!, ls = L.baseAddress! + qk
                    for ibl in 0..<nb {
                        let yb = y + ibl * bytes
                        let d = IQ4_NL.quantizeSuperBlock(x + ibl * qk, qw.map { $0 + ibl * qk }, count: qk,
                                                          values: vb.baseAddress!, weight: weight, scales: scales,
                                                          codes: codes, subScales: ls)
                        _ = QuantMath.storeF16(d, yb, 0)
                        var scalesH: UInt16 = 0
                        for ib in 0..<nsub {
                            scalesH |= UInt16(ls[ib] >> 4) << (2 * ib)
                            if ib % 2 == 1 {
                                yb.storeBytes(of: (ls[ib - 1] & 0xF) | ((ls[ib] & 0xF) << 4), toByteOffset: 4 + ib / 2, as: UInt8.self)
                            }
                        }
                        yb.storeBytes(of: scalesH.littleEndian, toByteOffset: 2, as: UInt16.self)
                        IQ4_NL.packNibbles(codes, count: qk, into: yb + 8)
                    }
                }
            }
        }
    }

    /// `dequantize_row_iq4_xs`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQ4_NL.values.withUnsafeBufferPointer { values in
            for i in 0..<nb {
                let b = q + i * bytes
                let d = QuantMath.loadF16(b, 0)
                let scalesH = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
                for ib in 0..<(qk / 32) {
                    let low = Int(b.load(fromByteOffset: 4 + ib / 2, as: UInt8.self) >> (4 * (ib % 2))) & 0xF
                    let ls = low | (((scalesH >> (2 * ib)) & 3) << 4)
                    let dl = d * Float(ls - 32)
                    let o = y + i * qk + 32 * ib
                    for j in 0..<16 {
                        let v = b.load(fromByteOffset: 8 + 16 * ib + j, as: UInt8.self)
                        o[j] = dl * Float(values[Int(v & 0x0F)])
                        o[j + 16] = dl * Float(values[Int(v >> 4)])
                    }
                }
            }
        }
    }
}
