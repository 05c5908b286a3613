import IngotCore

/// IQ2_S (82 bytes / 256 elements, 2.5625 bpw) = `d:f16 | qs:u8[32] | signs:u8[32] | qh:u8[8] | scales:u8[8]`: per
/// 16-element sub-block, two 10-bit indices (low 8 bits in qs, two high bits in qh) into the 1024-point lattice
/// `iq2s_grid` (eight magnitudes each), 16 explicit sign bits, and a 4-bit scale `ls` (two per byte of `scales`);
/// value = `d · (0.5 + ls) · 0.25 · grid byte · ±1`.
///
/// Bit-exact with ggml's `quantize_iq2_s` → `quantize_row_iq2_s_impl` with and without importance (no importance
/// weighs by `0.25·sigma2 + x²`; with it `qw · sqrt(sigma2 + x²)`, sigma2 = 2·Σx²/256), on the lattice, map and
/// neighbour lists of `iq2xs_init_impl(GGML_TYPE_IQ2_S)` (``IQLattice/iq2s``), and with `dequantize_row_iq2_s`.
/// Proved by `GGMLVectorTests`.
///
/// Layout (`block_iq2_s` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK_K/4]; uint8_t qh[QK_K/32];
/// uint8_t scales[QK_K/32]; }` (the second half of qs holds the signs).
public enum IQ2_S: BlockCodec {
    public static let type = ElementType.iq2_s
    /// `GROUP_MAX_EPS_IQ2_S`.
    static let groupMaxEps: Float = 1e-8
    static let qsOffset = 2, signsOffset = 34, qhOffset = 66, scalesOffset = 74
    static let search = IQLattice.Search(subBlock: 16, kMaxQ: 3, steps: 9, stepSize: 0.1, startOnGrid: true, refitAllGroups: false)

    /// `quantize_row_iq2_s_impl(x, y, n, qw)` for one row.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let lattice = IQLattice.iq2s
        IQScratch.with { s in
            var scales = [Float](repeating: 0, count: 16)
            var blockSigns = [UInt8](repeating: 0, count: 2)
            for ibl in 0..<nbl {
                let xbl = x + qk * ibl, yb = y + bytes * ibl
                yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                var maxScale: Float = 0
                var sumx2: Float = 0
                for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = 2 * sumx2 / Float(qk)
                for ib in 0..<16 {
                    let xb = xbl + 16 * ib
                    if let qw {
                        let w = qw + qk * ibl + 16 * ib
                        for i in 0..<16 { s.weight[i] = w[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
                    } else {
                        for i in 0..<16 { s.weight[i] = 0.25 * sigma2 + xb[i] * xb[i] }
                    }
                    for i in 0..<16 { s.waux[i] = s.weight[i].squareRoot() }
                    for k in 0..<2 {
                        var sg: UInt8 = 0
                        for i in 0..<8 {
                            if xb[8 * k + i] >= 0 { s.xval[8 * k + i] = xb[8 * k + i] }
                            else { s.xval[8 * k + i] = -xb[8 * k + i]; sg |= UInt8(1) << i }
                        }
                        blockSigns[k] = sg
                    }
                    var max = s.xval[0]
                    for i in 1..<16 where !(max > s.xval[i]) { max = s.xval[i] }   // MAX(max, xval[i])
                    if max < groupMaxEps {
                        scales[ib] = 0
                        continue
                    }
                    var scale = lattice.searchScale(s, max: max, Self.search)
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<2 { blockSigns[k] = ~blockSigns[k] }
                    }
                    for k in 0..<2 {
                        let g = lattice.index(s.L + 8 * k)
                        let i8 = 2 * ib + k
                        yb.storeBytes(of: UInt8(g & 255), toByteOffset: qsOffset + i8, as: UInt8.self)
                        let h = yb.load(fromByteOffset: qhOffset + i8 / 4, as: UInt8.self) | UInt8((g >> 8) << (2 * (i8 % 4)))
                        yb.storeBytes(of: h, toByteOffset: qhOffset + i8 / 4, as: UInt8.self)
                        yb.storeBytes(of: blockSigns[k], toByteOffset: signsOffset + i8, as: UInt8.self)
                    }
                    scales[ib] = scale
                    if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
                }
                if maxScale == 0 { continue }
                let d = maxScale / 31
                _ = QuantMath.storeF16(d * 0.9875, yb, 0)
                let id = 1 / d
                for ib in 0..<16 {
                    let l = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                    let at = scalesOffset + ib / 2
                    let v = ib % 2 == 0 ? UInt8(l) : yb.load(fromByteOffset: at, as: UInt8.self) | UInt8(l << 4)
                    yb.storeBytes(of: v, toByteOffset: at, as: UInt8.self)
                }
            }
        }
    }

    /// `dequantize_row_iq2_s`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq2sGrid.withUnsafeBufferPointer { grid in
            for i in 0..<nb {
                let b = q + bytes * i
                let d = QuantMath.loadF16(b, 0)
                var o = y + qk * i
                for ib32 in 0..<8 {
                    let sc = b.load(fromByteOffset: scalesOffset + ib32, as: UInt8.self)
                    let db0 = d * (0.5 + Float(sc & 0xF)) * 0.25
                    let db1 = d * (0.5 + Float(sc >> 4)) * 0.25
                    let qh = Int(b.load(fromByteOffset: qhOffset + ib32, as: UInt8.self))
                    for l in 0..<4 {
                        let dl = l < 2 ? db0 : db1
                        let qs = Int(b.load(fromByteOffset: qsOffset + 4 * ib32 + l, as: UInt8.self))
                        let g = grid[qs | ((qh << (8 - 2 * l)) & 0x300)]
                        let signs = b.load(fromByteOffset: signsOffset + 4 * ib32 + l, as: UInt8.self)
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
