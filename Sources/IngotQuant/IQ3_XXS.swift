import IngotCore

/// IQ3_XXS (98 bytes / 256 elements, 3.0625 bpw) = `d:f16 | qs:u8[64] | scales_and_signs:u32[8]`: per 32-element
/// sub-block, eight indices into the 256-point lattice `iq3xxs_grid` (four magnitudes each) and one u32 holding
/// four 7-bit sign sets (the eighth sign is their parity, `ksigns_iq2xs`) and a 4-bit scale `ls` in the top bits;
/// value = `d · (0.5 + ls) · 0.5 · grid byte · ±1`.
///
/// Bit-exact with ggml's `quantize_iq3_xxs` → `quantize_row_iq3_xxs_impl(256, …)` with and without importance (no
/// importance weighs by x²; with it `qw · sqrt(sigma2 + x²)`, sigma2 = 2·Σx²/256), on the lattice, map and neighbour
/// lists of `iq3xs_init_impl(256)` (``IQLattice/iq3xxs``), and with `dequantize_row_iq3_xxs`. Proved by `GGMLVectorTests`.
///
/// Layout (`block_iq3_xxs` in ggml-common.h): `{ ggml_half d; uint8_t qs[3*QK_K/8]; }` (the last QK_K/8 bytes of qs
/// are the eight u32 `scales_and_signs`).
public enum IQ3_XXS: BlockCodec {
    public static let type = ElementType.iq3_xxs
    /// `GROUP_MAX_EPS_IQ3_XXS`.
    static let groupMaxEps: Float = 1e-8

    /// `quantize_row_iq3_xxs_impl(256, x, y, n, qw)` for one row.
    static let search = IQLattice.Search(subBlock: 32, kMaxQ: 8, steps: 15, stepSize: 0.2, startOnGrid: true, refitAllGroups: false)

    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let lattice = IQLattice.iq3xxs
        IQScratch.with { s in
            var scales = [Float](repeating: 0, count: 8)
            var q3 = [UInt8](repeating: 0, count: 96)
            var signsAndScales = [UInt32](repeating: 0, count: 8)
            var blockSigns = [UInt8](repeating: 0, count: 4)
            for ibl in 0..<nbl {
                let xbl = x + qk * ibl, yb = y + bytes * ibl
                for i in 0..<64 { q3[i] = 0 }
                for i in 0..<8 { signsAndScales[i] = 0 }
                var maxScale: Float = 0
                var sumx2: Float = 0
                for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = 2 * sumx2 / Float(qk)
                for ib in 0..<8 {
                    let xb = xbl + 32 * ib
                    if let qw {
                        let w = qw + qk * ibl + 32 * ib
                        for i in 0..<32 { s.weight[i] = w[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    } else {
                        for i in 0..<32 { s.weight[i] = xb[i] * xb[i] }
                    }
                    for i in 0..<32 { s.waux[i] = s.weight[i].squareRoot() }
                    s.evenParitySigns(xb, groups: 4, into: &blockSigns)
                    var max = s.xval[0]
                    for i in 1..<32 where !(max > s.xval[i]) { max = s.xval[i] }   // MAX(max, xval[i])
                    if max < groupMaxEps {
                        scales[ib] = 0
                        continue
                    }
                    var scale = lattice.searchScale(s, max: max, Self.search)
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<4 { blockSigns[k] = ~blockSigns[k] & 127 }
                    }
                    for k in 0..<8 { q3[8 * ib + k] = UInt8(lattice.index(s.L + 4 * k)) }
                    signsAndScales[ib] = UInt32(blockSigns[0]) | UInt32(blockSigns[1]) << 7
                        | UInt32(blockSigns[2]) << 14 | UInt32(blockSigns[3]) << 21
                    scales[ib] = scale
                    if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
                }
                if maxScale == 0 {
                    _ = QuantMath.storeF16(0, yb, 0)
                    (yb + 2).initializeMemory(as: UInt8.self, repeating: 0, count: bytes - 2)
                    continue
                }
                let d = maxScale / 31
                _ = QuantMath.storeF16(d * 1.0125, yb, 0)
                let id = 1 / d
                for ib in 0..<8 {
                    let l = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                    signsAndScales[ib] |= UInt32(l) << 28
                }
                for i in 0..<64 { yb.storeBytes(of: q3[i], toByteOffset: 2 + i, as: UInt8.self) }
                for ib in 0..<8 { yb.storeBytes(of: signsAndScales[ib].littleEndian, toByteOffset: 66 + 4 * ib, as: UInt32.self) }
            }
        }
    }

    /// `dequantize_row_iq3_xxs`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq3xxsGrid.withUnsafeBufferPointer { grid in
            IQGrids.ksignsIQ2XS.withUnsafeBufferPointer { ksigns in
                for i in 0..<nb {
                    let b = q + bytes * i
                    let d = QuantMath.loadF16(b, 0)
                    var o = y + qk * i
                    for ib32 in 0..<8 {
                        let aux32 = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 66 + 4 * ib32, as: UInt32.self))
                        let db = d * (0.5 + Float(aux32 >> 28)) * 0.5
                        for l in 0..<4 {
                            let signs = ksigns[Int((aux32 >> (7 * UInt32(l))) & 127)]
                            let g1 = grid[Int(b.load(fromByteOffset: 2 + 8 * ib32 + 2 * l, as: UInt8.self))]
                            let g2 = grid[Int(b.load(fromByteOffset: 2 + 8 * ib32 + 2 * l + 1, as: UInt8.self))]
                            for j in 0..<4 {
                                o[j] = db * Float((g1 >> (8 * UInt32(j))) & 0xFF) * (signs & (1 << j) != 0 ? -1 : 1)
                                o[j + 4] = db * Float((g2 >> (8 * UInt32(j))) & 0xFF) * (signs & (1 << (j + 4)) != 0 ? -1 : 1)
                            }
                            o += 8
                        }
                    }
                }
            }
        }
    }
}
