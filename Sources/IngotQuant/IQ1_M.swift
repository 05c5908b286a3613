import IngotCore

/// IQ1_M (56 bytes / 256 elements, 1.75 bpw) = `qs:u8[32] | qh:u8[16] | scales:u8[8]`: per 8 elements an 11-bit
/// index (low 8 bits in qs, 3 high bits in a nibble of qh) into the 2048-point lattice `iq1s_grid` (values −1, 0, 1)
/// and, in that nibble's top bit, the sign of the shift `delta = ±0.125`; per 16-element sub-block a 3-bit scale
/// `ls` in `scales` (four per u16), whose four top nibbles hold the f16 super-block scale `d`;
/// value = `d · (2·ls + 1) · (grid value + delta)`.
///
/// Bit-exact with ggml's `quantize_iq1_m` → `quantize_row_iq1_m_impl` with and without importance (no importance
/// weighs by x²; with it `qw · sqrt(sigma2 + x²)`, sigma2 = 2·Σx²/256): the exact search over the two boundaries of
/// the sorted sub-block with a shift sign per half (prefix sums per half), groups off the lattice moved to the best
/// neighbour on ``IQLattice/iq1s``, then `d` refit over the whole block; and with `dequantize_row_iq1_m`. Proved by
/// `GGMLVectorTests`. The sort keeps equal values in index order, as glibc's merge-sort `qsort` does (see ``IQ1_S``).
///
/// Layout (`block_iq1_m` in ggml-common.h): `{ uint8_t qs[QK_K/8]; uint8_t qh[QK_K/16]; uint8_t scales[QK_K/32]; }`.
public enum IQ1_M: BlockCodec {
    public static let type = ElementType.iq1_m
    /// `GROUP_MAX_EPS_IQ1_M`.
    static let groupMaxEps: Float = 1e-7
    /// `IQ1M_DELTA` (the decoder uses `IQ1S_DELTA`, the same value).
    static let delta: Float = 0.125
    static let qhOffset = 32, scalesOffset = 48
    /// qh bits marking a negative shift for the two groups of a sub-block, by shift choice (`masks`).
    static let masks: [UInt8] = [0x00, 0x80, 0x08, 0x88]

    /// `quantize_row_iq1_m_impl(x, y, n, qw, …)` for one row.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes, bs = 16
        let lattice = IQLattice.iq1s
        let xp: [Float] = [-1 + delta, delta, 1 + delta]
        let xm: [Float] = [-1 - delta, -delta, 1 - delta]
        var scales = [Float](repeating: 0, count: 16)
        var shifts = [Int](repeating: 0, count: 16)
        var weight = [Float](repeating: 0, count: bs)
        var order = [Int](repeating: 0, count: bs)
        var L = [Int8](repeating: 0, count: bs)
        var index = [Int](repeating: 0, count: 2)
        var px = [[Float]](repeating: [Float](repeating: 0, count: bs + 1), count: 2)
        var pw = px
        var sumqx = [Float](repeating: 0, count: 4), sumq2 = [Float](repeating: 0, count: 4)
        let p2 = xp[2], m2 = xm[2]
        let cp1 = xp[0] * xp[0] - xp[1] * xp[1], cp2 = xp[1] * xp[1] - xp[2] * xp[2]
        let cm1 = xm[0] * xm[0] - xm[1] * xm[1], cm2 = xm[1] * xm[1] - xm[2] * xm[2]
        // The shift values of group k (0, 1) of a sub-block for shift choice `c` (0: +,+ 1: +,− 2: −,+ 3: −,−).
        func shiftValues(_ c: Int, _ k: Int) -> [Float] { k == 0 ? (c < 2 ? xp : xm) : (c % 2 == 0 ? xp : xm) }
        func setWeights(_ ibl: Int, _ ib: Int, _ xb: UnsafePointer<Float>, _ sigma2: Float) {
            if let qw {
                let w = qw + qk * ibl + bs * ib
                for i in 0..<bs { weight[i] = w[i] * (sigma2 + xb[i] * xb[i]).squareRoot() }
            } else {
                for i in 0..<bs { weight[i] = xb[i] * xb[i] }
            }
        }
        for ibl in 0..<nbl {
            let xbl = x + qk * ibl, yb = y + bytes * ibl
            yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            var maxScale: Float = 0
            var sumx2: Float = 0
            for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
            let sigma2 = 2 * sumx2 / Float(qk)
            for ib in 0..<(qk / bs) {
                let xb = xbl + bs * ib
                setWeights(ibl, ib, xb, sigma2)
                var max = abs(xb[0])
                for i in 1..<bs where !(max > abs(xb[i])) { max = abs(xb[i]) }   // MAX(max, fabsf(xb[i]))
                if max < groupMaxEps {
                    scales[ib] = 0; shifts[ib] = 0
                    continue
                }
                IQ1Search.sortedOrder(xb, bs, &order)
                var bestScore = -Float.greatestFiniteMagnitude, scale = max
                var besti1 = -1, besti2 = -1, bestK = -1
                // Prefix sums per half: each half may take its own shift sign.
                px[0][0] = 0; px[1][0] = 0; pw[0][0] = 0; pw[1][0] = 0
                for j in 0..<bs {
                    let i = order[j]
                    let h = i < bs / 2 ? 0 : 1
                    px[h][j + 1] = px[h][j] + weight[i] * xb[i]
                    px[1 - h][j + 1] = px[1 - h][j]
                    pw[h][j + 1] = pw[h][j] + weight[i]
                    pw[1 - h][j + 1] = pw[1 - h][j]
                }
                let txs = [px[0][bs], px[1][bs]], tws = [pw[0][bs], pw[1][bs]]
                var qxp: [Float] = [0, 0], qxm: [Float] = [0, 0], q2p: [Float] = [0, 0], q2m: [Float] = [0, 0]
                for i1 in 0...bs {
                    for i2 in i1...bs {
                        for h in 0..<2 {
                            let sx = px[h][i1] + px[h][i2]
                            qxp[h] = txs[h] * p2 - sx
                            qxm[h] = txs[h] * m2 - sx
                            q2p[h] = tws[h] * p2 * p2 + pw[h][i1] * cp1 + pw[h][i2] * cp2
                            q2m[h] = tws[h] * m2 * m2 + pw[h][i1] * cm1 + pw[h][i2] * cm2
                        }
                        sumqx[0] = qxp[0] + qxp[1]; sumqx[1] = qxp[0] + qxm[1]
                        sumqx[2] = qxm[0] + qxp[1]; sumqx[3] = qxm[0] + qxm[1]
                        sumq2[0] = q2p[0] + q2p[1]; sumq2[1] = q2p[0] + q2m[1]
                        sumq2[2] = q2m[0] + q2p[1]; sumq2[3] = q2m[0] + q2m[1]
                        for k in 0..<4 where sumq2[k] > 0 && sumqx[k] * sumqx[k] > bestScore * sumq2[k] {
                            scale = sumqx[k] / sumq2[k]; bestScore = scale * sumqx[k]
                            besti1 = i1; besti2 = i2; bestK = k
                        }
                    }
                }
                if besti1 < 0 || besti2 < 0 || bestK < 0 {
                    scales[ib] = 0; shifts[ib] = 0
                    continue
                }
                for j in 0..<besti1 { L[order[j]] = 0 }
                for j in besti1..<besti2 { L[order[j]] = 1 }
                for j in besti2..<bs { L[order[j]] = 2 }
                if scale < 0 {
                    for j in 0..<bs { L[j] = 2 - L[j] }
                    scale = -scale
                    bestK = 3 - bestK
                }
                var allOnGrid = true
                for k in 0..<(bs / 8) {
                    let xx = shiftValues(bestK, k)
                    xx.withUnsafeBufferPointer { xg in
                        weight.withUnsafeBufferPointer { w in
                            L.withUnsafeMutableBufferPointer { l in
                                let u = lattice.code(UnsafePointer(l.baseAddress! + 8 * k))
                                var g = Int(lattice.map[u])
                                if g < 0 {
                                    allOnGrid = false
                                    g = lattice.bestNeighbourIQ1(u, xb + 8 * k, w.baseAddress! + 8 * k, scale, xg.baseAddress!,
                                                                 l.baseAddress! + 8 * k)
                                }
                                index[k] = g
                            }
                        }
                    }
                }
                if !allOnGrid {
                    var sqx: Float = 0, sq2: Float = 0
                    for k in 0..<(bs / 8) {
                        let xx = shiftValues(bestK, k)
                        for j in 0..<8 {
                            let w = weight[8 * k + j]
                            let q = xx[Int((lattice.levels[8 * index[k] + j] - 1) / 2)]
                            sqx += w * q * xb[8 * k + j]
                            sq2 += w * q * q
                        }
                    }
                    if sqx > 0 && sq2 > 0 { scale = sqx / sq2 }
                }
                yb.storeBytes(of: UInt8(index[0] & 255), toByteOffset: 2 * ib, as: UInt8.self)
                yb.storeBytes(of: UInt8(index[1] & 255), toByteOffset: 2 * ib + 1, as: UInt8.self)
                yb.storeBytes(of: UInt8((index[0] >> 8) | ((index[1] >> 8) << 4)), toByteOffset: qhOffset + ib, as: UInt8.self)
                scales[ib] = scale
                shifts[ib] = bestK
                if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
            }
            if maxScale == 0 { continue }
            var sc: [UInt16] = [0, 0, 0, 0]
            var d = maxScale / 15
            let id = 1 / d
            var sqx: Float = 0, sq2: Float = 0
            for ib in 0..<(qk / bs) {
                let l = Swift.max(0, Swift.min(7, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                sc[ib / 4] |= UInt16(l) << (3 * UInt16(ib % 4))
                let qh = yb.load(fromByteOffset: qhOffset + ib, as: UInt8.self) | masks[shifts[ib]]
                yb.storeBytes(of: qh, toByteOffset: qhOffset + ib, as: UInt8.self)
                let xb = xbl + bs * ib
                setWeights(ibl, ib, xb, sigma2)
                for k in 0..<(bs / 8) {
                    let xx = shiftValues(shifts[ib], k)
                    let qs = Int(yb.load(fromByteOffset: 2 * ib + k, as: UInt8.self))
                    let g = qs + ((Int(qh) << (8 - 4 * k)) & 0x700)
                    for j in 0..<8 {
                        let w = weight[8 * k + j]
                        let q = xx[Int((lattice.levels[8 * g + j] - 1) / 2)] * Float(2 * l + 1)
                        sqx += w * q * xb[8 * k + j]
                        sq2 += w * q * q
                    }
                }
            }
            if sq2 > 0 { d = sqx / sq2 }
            let u16 = HalfPrecision.f16Bits(d * 1.1125)
            sc[0] |= (u16 & 0x000F) << 12
            sc[1] |= (u16 & 0x00F0) << 8
            sc[2] |= (u16 & 0x0F00) << 4
            sc[3] |= u16 & 0xF000
            for i in 0..<4 { yb.storeBytes(of: sc[i].littleEndian, toByteOffset: scalesOffset + 2 * i, as: UInt16.self) }
        }
    }

    /// `dequantize_row_iq1_m`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq1sGrid.withUnsafeBufferPointer { grid in
            for i in 0..<nb {
                let b = q + bytes * i
                var sc = [Int](repeating: 0, count: 4)
                for j in 0..<4 { sc[j] = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: scalesOffset + 2 * j, as: UInt16.self))) }
                let bits = UInt16((sc[0] >> 12) | ((sc[1] >> 8) & 0x00F0) | ((sc[2] >> 4) & 0x0F00) | (sc[3] & 0xF000))
                let d = HalfPrecision.float(fromF16: bits)
                var o = y + qk * i
                for ib in 0..<8 {
                    let dl1 = d * Float(2 * ((sc[ib / 2] >> (6 * (ib % 2))) & 7) + 1)
                    let dl2 = d * Float(2 * ((sc[ib / 2] >> (6 * (ib % 2) + 3)) & 7) + 1)
                    let qh0 = Int(b.load(fromByteOffset: qhOffset + 2 * ib, as: UInt8.self))
                    let qh1 = Int(b.load(fromByteOffset: qhOffset + 2 * ib + 1, as: UInt8.self))
                    let qs = (0..<4).map { Int(b.load(fromByteOffset: 4 * ib + $0, as: UInt8.self)) }
                    let idx = [qs[0] | ((qh0 << 8) & 0x700), qs[1] | ((qh0 << 4) & 0x700),
                               qs[2] | ((qh1 << 8) & 0x700), qs[3] | ((qh1 << 4) & 0x700)]
                    let dt: [Float] = [qh0 & 0x08 != 0 ? -delta : delta, qh0 & 0x80 != 0 ? -delta : delta,
                                       qh1 & 0x08 != 0 ? -delta : delta, qh1 & 0x80 != 0 ? -delta : delta]
                    for l in 0..<4 {
                        let dl = l < 2 ? dl1 : dl2
                        let g = grid[idx[l]]
                        for j in 0..<8 { o[j] = dl * (Float(Int8(truncatingIfNeeded: g >> (8 * UInt64(j)))) + dt[l]) }
                        o += 8
                    }
                }
            }
        }
    }
}
