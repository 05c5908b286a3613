import IngotCore

/// IQ2_XS (74 bytes / 256 elements, 2.3125 bpw) = `d:f16 | qs:u16[32] | scales:u8[8]`: per 8 elements one u16 of a
/// 9-bit index into the 512-point lattice `iq2xs_grid` (eight magnitudes) and 7 sign bits (the eighth is their
/// parity, `ksigns_iq2xs`); per 16-element sub-block a 4-bit scale `ls` (two per byte of `scales`);
/// value = `d · (0.5 + ls) · 0.25 · grid byte · ±1`.
///
/// Bit-exact with ggml's `quantize_iq2_xs` → `quantize_row_iq2_xs_impl` (weights `qw · sqrt(sigma2 + x²)`,
/// sigma2 = Σx²/256, the sign-parity flip, then the shared lattice scale search), on the lattice, map and neighbour
/// lists of `iq2xs_init_impl(GGML_TYPE_IQ2_XS)` (``IQLattice/iq2xs``), and with `dequantize_row_iq2_xs`. Proved by
/// `GGMLVectorTests` (ggml only has imatrix cases: it aborts without importance).
///
/// Without importance ggml asserts ("missing quantization weights"; llama-quantize refuses, and so does Ingot's
/// planner). Here a nil importance means all ones, which is what ggml computes for an imatrix of ones.
///
/// Layout (`block_iq2_xs` in ggml-common.h): `{ ggml_half d; uint16_t qs[QK_K/8]; uint8_t scales[QK_K/32]; }`.
public enum IQ2_XS: BlockCodec {
    public static let type = ElementType.iq2_xs
    /// `GROUP_MAX_EPS` (the plain one: IQ2_XS has none of its own).
    static let groupMaxEps: Float = 1e-15
    static let scalesOffset = 66
    static let search = IQLattice.Search(subBlock: 16, kMaxQ: 3, steps: 9, stepSize: 0.1, startOnGrid: true, refitAllGroups: false)

    /// `quantize_row_iq2_xs_impl(x, y, n, qw)` for one row.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let lattice = IQLattice.iq2xs
        IQScratch.with { s in
            var scales = [Float](repeating: 0, count: 16)
            var q2 = [UInt16](repeating: 0, count: 32)
            var blockSigns = [UInt8](repeating: 0, count: 2)
            for ibl in 0..<nbl {
                let xbl = x + qk * ibl, yb = y + bytes * ibl
                yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                for i in 0..<32 { q2[i] = 0 }
                var maxScale: Float = 0
                var sumx2: Float = 0
                for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = sumx2 / Float(qk)
                for ib in 0..<16 {
                    let xb = xbl + 16 * ib
                    s.weighImportance(xb, qw.map { $0 + qk * ibl + 16 * ib }, count: 16, sigma2: sigma2)
                    s.evenParitySigns(xb, groups: 2, into: &blockSigns)
                    var max = s.xval[0]
                    for i in 1..<16 where !(max > s.xval[i]) { max = s.xval[i] }   // MAX(max, xval[i])
                    if max < groupMaxEps {
                        scales[ib] = 0
                        continue
                    }
                    var scale = lattice.searchScale(s, max: max, Self.search)
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<2 { blockSigns[k] = ~blockSigns[k] & 127 }
                    }
                    for k in 0..<2 {
                        q2[2 * ib + k] = UInt16(lattice.index(s.L + 8 * k)) | UInt16(blockSigns[k]) << 9
                    }
                    scales[ib] = scale
                    if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
                }
                if maxScale == 0 { continue }
                let d = maxScale / 31
                _ = QuantMath.storeF16(d, yb, 0)
                let id = 1 / d
                for ib in 0..<16 {
                    let l = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                    let at = scalesOffset + ib / 2
                    let v = ib % 2 == 0 ? UInt8(l) : yb.load(fromByteOffset: at, as: UInt8.self) | UInt8(l << 4)
                    yb.storeBytes(of: v, toByteOffset: at, as: UInt8.self)
                }
                for i in 0..<32 { yb.storeBytes(of: q2[i].littleEndian, toByteOffset: 2 + 2 * i, as: UInt16.self) }
            }
        }
    }

    /// `dequantize_row_iq2_xs`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq2xsGrid.withUnsafeBufferPointer { grid in
            IQGrids.ksignsIQ2XS.withUnsafeBufferPointer { ksigns in
                for i in 0..<nb {
                    let b = q + bytes * i
                    let d = QuantMath.loadF16(b, 0)
                    var o = y + qk * i
                    for ib32 in 0..<8 {
                        let sc = b.load(fromByteOffset: scalesOffset + ib32, as: UInt8.self)
                        let db0 = d * (0.5 + Float(sc & 0xF)) * 0.25
                        let db1 = d * (0.5 + Float(sc >> 4)) * 0.25
                        for l in 0..<4 {
                            let v = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 2 + 2 * (4 * ib32 + l), as: UInt16.self)))
                            let g = grid[v & 511]
                            let signs = ksigns[v >> 9]
                            let dl = l < 2 ? db0 : db1
                            for j in 0..<8 {
                                o[j] = dl * Float((g >> (8 * UInt64(j))) & 0xFF) * (signs & (1 << j) != 0 ? -1 : 1)
                            }
                            o += 8
                        }
                    }
                }
            }
        }
    }
}
