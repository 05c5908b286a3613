import IngotCore

/// Q4_K and Q5_K encoders with the 8 sub-blocks of each super-block in SIMD8 lanes (``KQuantLanes/makeQkx``);
/// the per-block scale quantization stays scalar (it is 8 values). Bit-identical with ``KQuant45/encode`` —
/// held by `FastPathTests` on random data, with and without importance.
enum KQuant45Fast {
    typealias V8 = SIMD8<Float>

    static func encode(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                       into y: UnsafeMutableRawPointer, nmax: Int32, qk: Int, bytes: Int, highBits: Bool) {
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 32 * 5) { vb in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: qk + 8 + 8 + 12) { u8 in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 4 * 8) { f in
                    let X = vb.baseAddress!, W = X + 32, L = W + 32, Laux = L + 32, QW = Laux + 32
                    let codes = u8.baseAddress!, Ls = codes + qk, Lm = Ls + 8, sc12 = Lm + 8
                    let scales = f.baseAddress!, mins = scales + 8, sw = mins + 8
                    for i in 0..<nb {
                        encodeBlock(x + qk * i, qw.map { $0 + qk * i }, y + bytes * i, nmax: nmax, highBits: highBits,
                                    X, W, L, Laux, QW, codes, Ls, Lm, sc12, scales, mins, sw)
                    }
                }
            }
        }
    }

    /// `dst[l][j] = src[32j + l]`: the transposed view (element l of sub-block j in lane j).
    @inline(__always)
    static func transpose(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<V8>) {
        let d = UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self)
        for j in 0..<8 {
            for l in 0..<32 { d[8 * l + j] = src[32 * j + l] }
        }
    }

    @inline(__always)
    static func encodeBlock(_ xs: UnsafePointer<Float>, _ qb: UnsafePointer<Float>?, _ yb: UnsafeMutableRawPointer,
                            nmax: Int32, highBits: Bool,
                            _ X: UnsafeMutablePointer<V8>, _ W: UnsafeMutablePointer<V8>, _ L: UnsafeMutablePointer<V8>,
                            _ Laux: UnsafeMutablePointer<V8>, _ QW: UnsafeMutablePointer<V8>,
                            _ codes: UnsafeMutablePointer<UInt8>, _ Ls: UnsafeMutablePointer<UInt8>,
                            _ Lm: UnsafeMutablePointer<UInt8>, _ sc12: UnsafeMutablePointer<UInt8>,
                            _ scales: UnsafeMutablePointer<Float>, _ mins: UnsafeMutablePointer<Float>,
                            _ sw: UnsafeMutablePointer<Float>) {
        transpose(xs, into: X)
        var d: Float, dmin: Float
        if let qb {
            transpose(qb, into: QW)
            var sumX2: Float = 0
            for l in 0..<(8 * 32) { sumX2 += xs[l] * xs[l] }  // QK_K = 8 lanes × 32
            let sigma2 = V8(repeating: 2 * sumX2 / (8 * 32))
            var sumw = V8()
            for l in 0..<32 {
                W[l] = QW[l] * (sigma2 + X[l] * X[l]).squareRoot()
                sumw += W[l]
            }
            let (sc, mn) = KQuantLanes.makeQkx(32, nmax, X, W, L, Laux, rmin: -0.9, rdelta: 0.05, nstep: 36,
                                               useMAD: false, qkx3: true)
            for j in 0..<8 { scales[j] = sc[j]; mins[j] = mn[j]; sw[j] = sumw[j] }
            d = QuantMath.makeQpQuants(8, 63, scales, Ls, sw)
            dmin = QuantMath.makeQpQuants(8, 63, mins, Lm, sw)
            if highBits {
                for j in 0..<8 { Ls[j] = Swift.min(63, Ls[j]); Lm[j] = Swift.min(63, Lm[j]) }
            }
        } else {
            var sumX2 = V8()
            for l in 0..<32 { sumX2 += X[l] * X[l] }
            let avX = (sumX2 / 32).squareRoot()
            for l in 0..<32 { W[l] = avX + X[l].magnitude8 }
            let (sc, mn) = nmax == 15
                ? KQuantLanes.makeQkx(32, 15, X, W, L, Laux, rmin: -1, rdelta: 0.1, nstep: 20, useMAD: false, qkx3: false)
                : KQuantLanes.makeQkx(32, 31, X, W, L, Laux, rmin: -0.5, rdelta: 0.1, nstep: 15, useMAD: false, qkx3: false)
            var maxScale: Float = 0, maxMin: Float = 0
            for j in 0..<8 {
                scales[j] = sc[j]; mins[j] = mn[j]
                if scales[j] > maxScale { maxScale = scales[j] }
                if mins[j] > maxMin { maxMin = mins[j] }
            }
            let invScale: Float = maxScale > 0 ? 63 / maxScale : 0
            let invMin: Float = maxMin > 0 ? 63 / maxMin : 0
            for j in 0..<8 {
                Ls[j] = Swift.min(63, UInt8(truncatingIfNeeded: QuantMath.nearestInt(invScale * scales[j])))
                Lm[j] = Swift.min(63, UInt8(truncatingIfNeeded: QuantMath.nearestInt(invMin * mins[j])))
            }
            d = maxScale / 63
            dmin = maxMin / 63
        }
        for k in 0..<12 { sc12[k] = 0 }
        KQuantPacking.packScaleMinK4({ Ls[$0] }, { Lm[$0] }, into: sc12)
        let dh = QuantMath.storeF16(d, yb, 0)
        let mh = QuantMath.storeF16(dmin, yb, 2)
        for k in 0..<12 { yb.storeBytes(of: sc12[k], toByteOffset: 4 + k, as: UInt8.self) }
        // Requantize every lane with its stored scale; lanes whose scale is 0 keep the search's codes.
        let dAll = HalfPrecision.float(fromF16: dh), mAll = HalfPrecision.float(fromF16: mh)
        var dj = V8(), dmj = V8()
        for j in 0..<8 {
            let (sc, m) = KQuantPacking.scaleMinK4(j, UnsafePointer(sc12))
            dj[j] = dAll * Float(sc)
            dmj[j] = mAll * Float(m)
        }
        let keep = dj .== 0
        let lo = SIMD8<Int32>(repeating: 0), hi = SIMD8<Int32>(repeating: nmax)
        for l in 0..<32 {
            var c = pointwiseMax(lo, pointwiseMin(hi, KQuantLanes.nearestInt((X[l] + dmj) / dj)))
            c.replace(with: KQuantLanes.exactInt(L[l]), where: keep)
            for j in 0..<8 { codes[32 * j + l] = UInt8(truncatingIfNeeded: c[j]) }
        }
        if highBits {
            KQuant45.packQ5(codes, into: yb)
        } else {
            for c in 0..<4 {
                for l in 0..<32 {
                    yb.storeBytes(of: codes[64 * c + l] | (codes[64 * c + l + 32] << 4), toByteOffset: 16 + 32 * c + l, as: UInt8.self)
                }
            }
        }
    }
}
