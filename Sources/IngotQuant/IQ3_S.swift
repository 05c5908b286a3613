import IngotCore

/// IQ3_S (110 bytes / 256 elements, 3.4375 bpw) = `d:f16 | qs:u8[64] | qh:u8[8] | signs:u8[32] | scales:u8[4]`: per
/// 32-element sub-block, eight 9-bit indices (low 8 bits in qs, the ninth in qh) into the 512-point lattice
/// `iq3s_grid` (four magnitudes each), 32 explicit sign bits, and a 4-bit scale `ls` (two per byte of `scales`);
/// value = `d · (1 + 2·ls) · grid byte · ±1`.
///
/// Bit-exact with ggml's `quantize_iq3_s` → `quantize_row_iq3_s_impl(32, …)` with and without importance, on the
/// lattice, map and neighbour lists of `iq3xs_init_impl(512)` (``IQLattice/iq3s``), and with `dequantize_row_iq3_s`.
/// Proved by `GGMLVectorTests`. ggml's quirk is kept: a sub-block that is all zero writes nothing and does not advance
/// the qs/signs cursors, so the next sub-block's indices and signs land in its place.
///
/// Layout (`block_iq3_s` in ggml-common.h):
/// `{ ggml_half d; uint8_t qs[QK_K/4]; uint8_t qh[QK_K/32]; uint8_t signs[QK_K/8]; uint8_t scales[IQ3S_N_SCALE]; }`.
public enum IQ3_S: BlockCodec {
    public static let type = ElementType.iq3_s
    static let qsOffset = 2, qhOffset = 66, signsOffset = 74, scalesOffset = 106

    /// `quantize_row_iq3_s_impl(IQ3S_BLOCK_SIZE 32, x, y, n, qw, …)` for one row.
    static let search = IQLattice.Search(subBlock: 32, kMaxQ: 8, steps: 9, stepSize: 0.2, startOnGrid: false, refitAllGroups: true)

    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let lattice = IQLattice.iq3s
        IQScratch.with { s in
            var scales = [Float](repeating: 0, count: 8)
            var blockSigns = [UInt8](repeating: 0, count: 4)
            for ibl in 0..<nbl {
                let xbl = x + qk * ibl, yb = y + bytes * ibl
                yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
                var qsAt = qsOffset, signsAt = signsOffset
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
                    for k in 0..<4 {
                        var sg: UInt8 = 0
                        for i in 0..<8 {
                            if xb[8 * k + i] >= 0 { s.xval[8 * k + i] = xb[8 * k + i] }
                            else { s.xval[8 * k + i] = -xb[8 * k + i]; sg |= UInt8(1) << i }
                        }
                        blockSigns[k] = sg
                    }
                    var max = s.xval[0]
                    for i in 1..<32 where !(max > s.xval[i]) { max = s.xval[i] }   // MAX(max, xval[i])
                    if max == 0 {
                        scales[ib] = 0
                        continue   // as ggml: qs and signs cursors stay
                    }
                    var scale = lattice.searchScale(s, max: max, Self.search)
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<4 { blockSigns[k] = ~blockSigns[k] }
                    }
                    for k in 0..<8 {
                        let g = lattice.index(s.L + 4 * k)
                        yb.storeBytes(of: UInt8(g & 255), toByteOffset: qsAt + k, as: UInt8.self)
                        let bit = 8 * ib + k
                        let h = yb.load(fromByteOffset: qhOffset + bit / 8, as: UInt8.self) | UInt8((g >> 8) << (bit % 8))
                        yb.storeBytes(of: h, toByteOffset: qhOffset + bit / 8, as: UInt8.self)
                    }
                    qsAt += 8
                    for k in 0..<4 { yb.storeBytes(of: blockSigns[k], toByteOffset: signsAt + k, as: UInt8.self) }
                    signsAt += 4
                    scales[ib] = scale
                    if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
                }
                if maxScale == 0 { continue }
                let d = maxScale / 31
                _ = QuantMath.storeF16(d * 1.033, yb, 0)
                let id = 1 / d
                for ib in stride(from: 0, to: 8, by: 2) {
                    let l1 = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                    let l2 = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib + 1] - 1))))
                    yb.storeBytes(of: UInt8(l1 | (l2 << 4)), toByteOffset: scalesOffset + ib / 2, as: UInt8.self)
                }
            }
        }
    }

    /// `dequantize_row_iq3_s`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq3sGrid.withUnsafeBufferPointer { grid in
            for i in 0..<nb {
                let b = q + bytes * i
                let d = QuantMath.loadF16(b, 0)
                var o = y + qk * i
                for ib32 in 0..<8 {
                    let sc = Int(b.load(fromByteOffset: scalesOffset + ib32 / 2, as: UInt8.self))
                    let db = d * Float(1 + 2 * (ib32 % 2 == 0 ? sc & 0xF : sc >> 4))
                    let qh = Int(b.load(fromByteOffset: qhOffset + ib32, as: UInt8.self))
                    for l in 0..<4 {
                        let q1 = Int(b.load(fromByteOffset: qsOffset + 8 * ib32 + 2 * l, as: UInt8.self))
                        let q2 = Int(b.load(fromByteOffset: qsOffset + 8 * ib32 + 2 * l + 1, as: UInt8.self))
                        let g1 = grid[q1 | ((qh << (8 - 2 * l)) & 256)]
                        let g2 = grid[q2 | ((qh << (7 - 2 * l)) & 256)]
                        let signs = b.load(fromByteOffset: signsOffset + 4 * ib32 + l, as: UInt8.self)
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
