import IngotCore

/// IQ1_S (50 bytes / 256 elements, 1.5625 bpw) = `d:f16 | qs:u8[32] | qh:u16[8]`: per 8 elements an 11-bit index
/// (low 8 bits in qs, 3 high bits in qh) into the 2048-point lattice `iq1s_grid` (eight values −1, 0, 1); per
/// 32-element sub-block, in the top nibble of its qh, a 3-bit scale `ls` and the sign of a shift `delta = ±0.125`;
/// value = `d · (2·ls + 1) · (grid value + delta)`.
///
/// Bit-exact with ggml's `quantize_iq1_s` → `quantize_row_iq1_s_impl`: weights `qw · sqrt(sigma2 + x²)`,
/// sigma2 = 2·Σx²/256; the exact search over the two boundaries splitting the sorted sub-block into −1/0/+1 with
/// either shift; groups off the lattice moved to the best neighbour (`iq1_find_best_neighbour2`) on
/// ``IQLattice/iq1s`` (`iq2xs_init_impl(GGML_TYPE_IQ1_S)`); and with `dequantize_row_iq1_s`. Proved by
/// `GGMLVectorTests` (ggml only has imatrix cases: it aborts without importance).
///
/// ggml sorts the sub-block with `qsort` on the value alone; glibc's `qsort` is a stable merge sort, so equal values
/// keep their index order, as here.
///
/// Without importance ggml asserts ("missing quantization weights"; llama-quantize refuses, and so does Ingot's
/// planner). Here a nil importance means all ones, which is what ggml computes for an imatrix of ones.
///
/// Layout (`block_iq1_s` in ggml-common.h): `{ ggml_half d; uint8_t qs[QK_K/8]; uint16_t qh[QK_K/32]; }`.
public enum IQ1_S: BlockCodec {
    public static let type = ElementType.iq1_s
    /// `GROUP_MAX_EPS_IQ1_S`.
    static let groupMaxEps: Float = 1e-12
    /// `IQ1S_DELTA`.
    static let delta: Float = 0.125
    static let qsOffset = 2, qhOffset = 34

    /// `quantize_row_iq1_s_impl(x, y, n, qw, …)` for one row.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nbl: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes, bs = 32
        let lattice = IQLattice.iq1s
        let xp: [Float] = [-1 + delta, delta, 1 + delta]
        let xm: [Float] = [-1 - delta, -delta, 1 - delta]
        var scales = [Float](repeating: 0, count: 8)
        var shifts = [Int8](repeating: 0, count: 8)
        var weight = [Float](repeating: 0, count: bs)
        var sumx = [Float](repeating: 0, count: bs + 1), sumw = [Float](repeating: 0, count: bs + 1)
        var order = [Int](repeating: 0, count: bs)
        var L = [Int8](repeating: 0, count: bs)
        var index = [Int](repeating: 0, count: 4)
        for ibl in 0..<nbl {
            let xbl = x + qk * ibl, yb = y + bytes * ibl
            yb.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            var maxScale: Float = 0
            var sumx2: Float = 0
            for i in 0..<qk { sumx2 += xbl[i] * xbl[i] }
            let sigma2 = 2 * sumx2 / Float(qk)
            for ib in 0..<(qk / bs) {
                let xb = xbl + bs * ib
                for i in 0..<bs {
                    let w: Float = qw.map { $0[qk * ibl + bs * ib + i] } ?? 1
                    weight[i] = w * (sigma2 + xb[i] * xb[i]).squareRoot()
                }
                var max = abs(xb[0])
                for i in 1..<bs where !(max > abs(xb[i])) { max = abs(xb[i]) }   // MAX(max, fabsf(xb[i]))
                if max < groupMaxEps {
                    scales[ib] = 0; shifts[ib] = 1
                    continue
                }
                IQ1Search.sortedOrder(xb, bs, &order)
                sumx[0] = 0; sumw[0] = 0
                for j in 0..<bs {
                    let i = order[j]
                    sumx[j + 1] = sumx[j] + weight[i] * xb[i]
                    sumw[j + 1] = sumw[j] + weight[i]
                }
                var bestScore = -Float.greatestFiniteMagnitude, scale = max
                var besti1 = -1, besti2 = -1, bestShift = 0
                for i1 in 0...bs {
                    for i2 in i1...bs {
                        var sumqx = (sumx[i1] - sumx[0]) * xp[0] + (sumx[i2] - sumx[i1]) * xp[1] + (sumx[bs] - sumx[i2]) * xp[2]
                        var sumq2 = (sumw[i1] - sumw[0]) * xp[0] * xp[0] + (sumw[i2] - sumw[i1]) * xp[1] * xp[1]
                            + (sumw[bs] - sumw[i2]) * xp[2] * xp[2]
                        if sumq2 > 0 && sumqx * sumqx > bestScore * sumq2 {
                            scale = sumqx / sumq2; bestScore = scale * sumqx
                            besti1 = i1; besti2 = i2; bestShift = 1
                        }
                        sumqx = (sumx[i1] - sumx[0]) * xm[0] + (sumx[i2] - sumx[i1]) * xm[1] + (sumx[bs] - sumx[i2]) * xm[2]
                        sumq2 = (sumw[i1] - sumw[0]) * xm[0] * xm[0] + (sumw[i2] - sumw[i1]) * xm[1] * xm[1]
                            + (sumw[bs] - sumw[i2]) * xm[2] * xm[2]
                        if sumq2 > 0 && sumqx * sumqx > bestScore * sumq2 {
                            scale = sumqx / sumq2; bestScore = scale * sumqx
                            besti1 = i1; besti2 = i2; bestShift = -1
                        }
                    }
                }
                if besti1 < 0 || besti2 < 0 || bestShift == 0 {
                    scales[ib] = 0; shifts[ib] = 1
                    continue
                }
                for j in 0..<besti1 { L[order[j]] = 0 }
                for j in besti1..<besti2 { L[order[j]] = 1 }
                for j in besti2..<bs { L[order[j]] = 2 }
                if scale < 0 {
                    for j in 0..<bs { L[j] = 2 - L[j] }
                    scale = -scale; bestShift = -bestShift
                }
                let xx = bestShift == 1 ? xp : xm
                var allOnGrid = true
                xx.withUnsafeBufferPointer { xg in
                    weight.withUnsafeBufferPointer { w in
                        L.withUnsafeMutableBufferPointer { l in
                            for k in 0..<(bs / 8) {
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
                    var sumqx: Float = 0, sumq2: Float = 0
                    for k in 0..<(bs / 8) {
                        for j in 0..<8 {
                            let w = weight[8 * k + j]
                            let q = xx[Int((lattice.levels[8 * index[k] + j] - 1) / 2)]
                            sumqx += w * q * xb[8 * k + j]
                            sumq2 += w * q * q
                        }
                    }
                    if sumqx > 0 && sumq2 > 0 { scale = sumqx / sumq2 }
                }
                var h: UInt16 = 0
                for k in 0..<(bs / 8) {
                    yb.storeBytes(of: UInt8(index[k] & 255), toByteOffset: qsOffset + (bs / 8) * ib + k, as: UInt8.self)
                    h |= UInt16(index[k] >> 8) << (3 * UInt16(k))
                }
                yb.storeBytes(of: h.littleEndian, toByteOffset: qhOffset + 2 * ib, as: UInt16.self)
                scales[ib] = scale
                shifts[ib] = Int8(bestShift)
                if !(maxScale > scale) { maxScale = scale }   // MAX(max_scale, scale)
            }
            if maxScale == 0 { continue }
            let d = maxScale / 15
            _ = QuantMath.storeF16(d * 1.125, yb, 0)
            let id = 1 / d
            for ib in 0..<(qk / bs) {
                var l = Swift.max(0, Swift.min(7, QuantMath.nearestInt(0.5 * (id * scales[ib] - 1))))
                if shifts[ib] == -1 { l |= 8 }
                let h = UInt16(littleEndian: yb.loadUnaligned(fromByteOffset: qhOffset + 2 * ib, as: UInt16.self)) | UInt16(l << 12)
                yb.storeBytes(of: h.littleEndian, toByteOffset: qhOffset + 2 * ib, as: UInt16.self)
            }
        }
    }

    /// `dequantize_row_iq1_s`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = blockElements, bytes = blockBytes
        IQGrids.iq1sGrid.withUnsafeBufferPointer { grid in
            for i in 0..<nb {
                let b = q + bytes * i
                let d = QuantMath.loadF16(b, 0)
                var o = y + qk * i
                for ib in 0..<8 {
                    let qh = Int(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: qhOffset + 2 * ib, as: UInt16.self)))
                    let dl = d * Float(2 * ((qh >> 12) & 7) + 1)
                    let dt = qh & 0x8000 != 0 ? -delta : delta
                    for l in 0..<4 {
                        let qs = Int(b.load(fromByteOffset: qsOffset + 4 * ib + l, as: UInt8.self))
                        let g = grid[qs | (((qh >> (3 * l)) & 7) << 8)]
                        for j in 0..<8 {
                            o[j] = dl * (Float(Int8(truncatingIfNeeded: g >> (8 * UInt64(j)))) + dt)
                        }
                        o += 8
                    }
                }
            }
        }
    }
}

/// Helpers shared by the IQ1_S and IQ1_M encoders.
enum IQ1Search {
    /// The indices of `x[0..<n]` in ascending order of value, equal values in index order: what glibc's stable
    /// merge-sort `qsort` gives ggml's `(value, index)` pairs compared on the value alone (`iq1_sort_helper`).
    static func sortedOrder(_ x: UnsafePointer<Float>, _ n: Int, _ order: inout [Int]) {
        for j in 0..<n { order[j] = j }
        for j in 1..<n {   // insertion sort: stable
            let v = order[j]
            var k = j
            while k > 0 && x[order[k - 1]] > x[v] { order[k] = order[k - 1]; k -= 1 }
            order[k] = v
        }
    }
}
