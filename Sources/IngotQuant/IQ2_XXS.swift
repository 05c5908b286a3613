import IngotCore

/// IQ2_XXS (66 bytes / 256 elements, 2.0625 bpw) = `d:f16 | qs:u32[16]`: per 32-element sub-block two u32, the
/// first holding four 8-bit indices into the 256-point lattice `iq2xxs_grid` (eight magnitudes each), the second
/// four 7-bit sign sets (the eighth sign is their parity, `ksigns_iq2xs`) and a 4-bit scale `ls` in the top bits;
/// value = `d · (0.5 + ls) · 0.25 · grid byte · ±1`.
///
/// Bit-exact with ggml's `quantize_iq2_xxs` → `quantize_row_iq2_xxs_impl` (weights `qw · sqrt(sigma2 + x²)`,
/// sigma2 = Σx²/256; the first scale from `make_qp_quants`, then 13 steps around it), on the lattice, map and
/// neighbour lists of `iq2xs_init_impl(GGML_TYPE_IQ2_XXS)` (``IQLattice/iq2xxs``), and with `dequantize_row_iq2_xxs`.
/// Proved by `GGMLVectorTests` (ggml only has imatrix cases: it aborts without importance).
///
/// Without importance ggml asserts ("missing quantization weights"; llama-quantize refuses, and so does Ingot's
/// planner). Here a nil importance means all ones, which is what ggml computes for an imatrix of ones.
///
/// Layout (`block_iq2_xxs` in ggml-common.h): `{ ggml_half d; uint16_t qs[QK_K/8]; }`.
public enum IQ2_XXS: BlockCodec {
    public static let type = ElementType.iq2_xxs
    /// `GROUP_MAX_EPS` (the plain one: IQ2_XXS has none of its own).
    static let groupMaxEps: Float = 1e-15
    static let kMaxQ: Int32 = 3

    /// `quantize_row_iq2_xxs_impl(x, y, n, qw)` for one row.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        let lattice = IQLattice.iq2xxs
        IQScratch.with { s in
            var scales = [Float](repeating: 0, count: 8)
            var q2 = [UInt32](repeating: 0, count: 16)
            var blockSigns = [UInt8](repeating: 0, count: 4)
            var qpL = [UInt8](repeating: 0, count: 32)
            for ibl in 0..<nbl {
                let xbl = x + qk * ibl, yb = y + bytes * ibl
                _ = QuantMath.storeF16(0, yb, 0)
                for i in 0..<16 { q2[i] = 0 }
                var maxScale: Float = 0
                var sumx2: Float = 0
                for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
                let sigma2 = sumx2 / Float(qk)
                for ib in 0..<8 {
                    let xb = xbl + 32 * ib
                    s.weighImportance(xb, qw.map { $0 + qk * ibl + 32 * ib }, count: 32, sigma2: sigma2)
                    s.evenParitySigns(xb, groups: 4, into: &blockSigns)
                    var max = s.xval[0]
                    for i in 1..<32 where !(max > s.xval[i]) { max = s.xval[i] }   // MAX(max, xval[i])
                    if max < groupMaxEps {
                        scales[ib] = 0
                        continue
                    }
                    var scale = qpL.withUnsafeMutableBufferPointer {
                        QuantMath.makeQpQuants(32, kMaxQ + 1, s.xval, $0.baseAddress!, s.weight)
                    }
                    for i in 0..<32 { s.L[i] = Int8(truncatingIfNeeded: qpL[i]) }
                    let effMax = scale * Float(kMaxQ)
                    if effMax <= 0 {
                        scales[ib] = 0
                        continue
                    }
                    scale = search(lattice, s, scale: scale, effMax: effMax)
                    if scale < 0 {
                        scale = -scale
                        for k in 0..<4 { blockSigns[k] = ~blockSigns[k] & 127 }
                    }
                    for k in 0..<4 {
                        let g = latticeIndex(lattice, s, k, scale)
                        q2[2 * ib] |= UInt32(g) << (8 * UInt32(k))
                        q2[2 * ib + 1] |= UInt32(blockSigns[k]) << (7 * UInt32(k))
                    }
                    scales[ib] = scale
                    if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
                }
                if maxScale == 0 {
                    (yb + 2).initializeMemory(as: UInt8.self, repeating: 0, count: bytes - 2)
                    continue
                }
                let d = maxScale / 31
                _ = QuantMath.storeF16(d, yb, 0)
                let id = 1 / d
                for ib in 0..<8 {
                    let l = Swift.max(0, Swift.min(15, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                    q2[2 * ib + 1] |= UInt32(l) << 28
                }
                for i in 0..<16 { yb.storeBytes(of: q2[i].littleEndian, toByteOffset: 2 + 4 * i, as: UInt32.self) }
            }
        }
    }

    /// The scale search of `quantize_row_iq2_xxs_impl` for one sub-block: 13 steps `id = (5 + 0.1·is)/effMax`
    /// around the `make_qp_quants` scale, each rounding every group to the lattice (or its best neighbour at
    /// `1/id`), keeping the best weighted fit; then (scale > 0) every group re-rounded at the fitted scale and refit.
    /// `s.L` holds the `make_qp_quants` levels on entry and receives the final ones.
    static func search(_ lattice: IQLattice, _ s: IQScratch, scale start: Float, effMax: Float) -> Float {
        var scale = start
        var best: Float = 0
        for step in -6...6 {
            let id = (Float(2 * kMaxQ - 1) + Float(step) * 0.1) / effMax
            let thisScale = 1 / id
            for k in 0..<4 {
                for i in 0..<8 {
                    let l = QuantMath.nearestInt(0.5 * (id * s.xval[8 * k + i] - 1))
                    s.Laux[8 * k + i] = Int8(Swift.max(0, Swift.min(kMaxQ - 1, l)))
                }
                let u = lattice.code(s.Laux + 8 * k)
                if lattice.map[u] < 0 {
                    _ = lattice.bestNeighbour(u, s.xval + 8 * k, s.waux + 8 * k, thisScale, s.Laux + 8 * k)
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<32 {
                let w = s.weight[i], q = Float(2 * Int32(s.Laux[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 && sumqx * sumqx > best * sumq2 {
                scale = sumqx / sumq2; best = scale * sumqx
                for i in 0..<32 { s.L[i] = s.Laux[i] }
            }
        }
        if scale > 0 {
            let id = 1 / scale
            lattice.levels.withUnsafeBufferPointer { lv in
                for k in 0..<4 {
                    var u = 0
                    for i in 0..<8 {
                        let l = Swift.max(0, Swift.min(kMaxQ - 1, QuantMath.nearestInt(0.5 * (id * s.xval[8 * k + i] - 1))))
                        u |= Int(l) << (2 * i)
                    }
                    var g = Int(lattice.map[u])
                    if g < 0 { g = lattice.bestNeighbour(u, s.xval + 8 * k, s.waux + 8 * k, scale, s.L + 8 * k) }
                    for i in 0..<8 { s.L[8 * k + i] = (lv[8 * g + i] - 1) / 2 }
                }
            }
            var sumqx: Float = 0, sumq2: Float = 0
            for i in 0..<32 {
                let w = s.weight[i], q = Float(2 * Int32(s.L[i]) + 1)
                sumqx += w * s.xval[i] * q
                sumq2 += w * q * q
            }
            if sumq2 > 0 { scale = sumqx / sumq2 }
        }
        return scale
    }

    /// The lattice index of group `k`'s levels in `s.L`. On every path ggml completes they are on the lattice. When
    /// the search ends without a fit (overflowing inputs: no step accepted and no positive scale) the levels are
    /// still `make_qp_quants`' (0…4) and ggml aborts ("found point … not on grid"); here they are then clamped to
    /// 0…2 and an off-lattice code moved to its best neighbour, so hostile rows encode instead of trapping.
    static func latticeIndex(_ lattice: IQLattice, _ s: IQScratch, _ k: Int, _ scale: Float) -> Int {
        let L = s.L + 8 * k
        var u = 0
        for i in 0..<8 {
            L[i] = Swift.max(0, Swift.min(Int8(kMaxQ - 1), L[i]))
            u |= Int(L[i]) << (2 * i)
        }
        if lattice.map[u] >= 0 { return Int(lattice.map[u]) }
        return lattice.bestNeighbour(u, s.xval + 8 * k, s.waux + 8 * k, scale, L)
    }

    /// `dequantize_row_iq2_xxs`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq2xxsGrid.withUnsafeBufferPointer { grid in
            IQGrids.ksignsIQ2XS.withUnsafeBufferPointer { ksigns in
                for i in 0..<nb {
                    let b = q + bytes * i
                    let d = QuantMath.loadF16(b, 0)
                    var o = y + qk * i
                    for ib32 in 0..<8 {
                        let aux1 = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 2 + 8 * ib32 + 4, as: UInt32.self))
                        let db = d * (0.5 + Float(aux1 >> 28)) * 0.25
                        for l in 0..<4 {
                            let g = grid[Int(b.load(fromByteOffset: 2 + 8 * ib32 + l, as: UInt8.self))]
                            let signs = ksigns[Int((aux1 >> (7 * UInt32(l))) & 127)]
                            for j in 0..<8 {
                                o[j] = db * Float((g >> (8 * UInt64(j))) & 0xFF) * (signs & (1 << j) != 0 ? -1 : 1)
                            }
                            o += 8
                        }
                    }
                }
            }
        }
    }
}
