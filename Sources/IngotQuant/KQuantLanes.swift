/// Lane-parallel forms of ggml's K-quant searches: several independent sub-blocks in SIMD lanes, each lane running
/// exactly the scalar reference's sequence of float32 operations (same order, no fusion), so every lane's result is
/// bit-identical to ``QuantMath``'s. Only exact operations replace scalar code: selects for branches, and ggml's
/// own `nearest_int` bit trick for rounding. `FastPathTests` holds the codecs using these equal to the references.
///
/// Layout: `X[i]` holds element `i` of every lane's sub-block (a transposed block).
enum KQuantLanes {
    typealias V8 = SIMD8<Float>
    typealias V16 = SIMD16<Float>

    /// ggml's `nearest_int`, lane-wise (identical bits for every input, in range or not).
    @inline(__always) static func nearestInt(_ v: V8) -> SIMD8<Int32> {
        (unsafeBitCast(v + 12582912, to: SIMD8<Int32>.self) & 0x007F_FFFF) &- 0x0040_0000
    }

    @inline(__always) static func nearestInt(_ v: V16) -> SIMD16<Int32> {
        (unsafeBitCast(v + 12582912, to: SIMD16<Int32>.self) & 0x007F_FFFF) &- 0x0040_0000
    }

    /// A float holding a small exact integer (|v| < 2²²) back to Int32, exactly.
    @inline(__always) static func exactInt(_ v: V8) -> SIMD8<Int32> { nearestInt(v) }
    @inline(__always) static func exactInt(_ v: V16) -> SIMD16<Int32> { nearestInt(v) }

    // MARK: - make_qkx2_quants / make_qkx3_quants in 8 lanes

    /// `make_qkx2_quants` (`qkx3 == false`) or `make_qkx3_quants` (`qkx3 == true`, weights given) for 8 sub-blocks of
    /// `n` elements. `L` receives the codes as exact floats. Returns (scale, the_min) per lane.
    @inline(__always)
    static func makeQkx(_ n: Int, _ nmax: Int32, _ X: UnsafePointer<V8>, _ W: UnsafePointer<V8>,
                        _ L: UnsafeMutablePointer<V8>, _ Laux: UnsafeMutablePointer<V8>,
                        rmin: Float, rdelta: Float, nstep: Int, useMAD: Bool, qkx3: Bool) -> (V8, V8) {
        var min = X[0], max = X[0]
        var sumW = W[0]
        var sumX = sumW * X[0]
        for i in 1..<n {
            let x = X[i]
            min.replace(with: x, where: x .< min)
            max.replace(with: x, where: x .> max)
            let w = W[i]
            sumW += w
            sumX += w * x
        }
        min.replace(with: 0, where: min .> 0)
        // min ≤ max always holds here, so this is also qkx3's `max <= min`; such lanes return early in ggml.
        let degenerate = max .== min
        let earlyMin = min
        let fnmax = Float(nmax)
        let lo = SIMD8<Int32>(repeating: 0), hi = SIMD8<Int32>(repeating: nmax)
        var iscale = V8(repeating: fnmax) / (max - min)
        var scale = 1 / iscale
        var best = V8()
        for i in 0..<n {
            let l = pointwiseMax(lo, pointwiseMin(hi, nearestInt(iscale * (X[i] - min))))
            let lf = V8(l)
            L[i] = lf
            var diff = scale * lf + min - X[i]
            diff = useMAD ? diff.magnitude8 : diff * diff
            best += W[i] * diff
        }
        if nstep >= 1 {
            let vnmax = V8(repeating: fnmax)
            for step in 0...nstep {
                iscale = V8(repeating: rmin + rdelta * Float(step) + fnmax) / (max - min)
                var sumL = V8(), sumL2 = V8(), sumXL = V8()
                for i in 0..<n {
                    let l: SIMD8<Int32>
                    if qkx3 {
                        let v = iscale * (X[i] - min)
                        let c = nearestInt(v.replacing(with: vnmax, where: .!(v .< vnmax)))
                        l = c.replacing(with: 0, where: .!(v .> 0))
                    } else {
                        l = pointwiseMax(lo, pointwiseMin(hi, nearestInt(iscale * (X[i] - min))))
                    }
                    let lf = V8(l)
                    Laux[i] = lf
                    let w = W[i]
                    sumL += w * lf
                    sumL2 += w * lf * lf
                    sumXL += w * lf * X[i]
                }
                let D = sumW * sumL2 - sumL * sumL
                let positive = D .> 0
                if !any(positive) { continue }
                var thisScale = (sumW * sumXL - sumX * sumL) / D
                var thisMin = (sumL2 * sumX - sumL * sumXL) / D
                let clampMin = thisMin .> 0
                thisMin.replace(with: 0, where: clampMin)
                thisScale.replace(with: sumXL / sumL2, where: clampMin)
                var cur = V8()
                for i in 0..<n {
                    var diff = thisScale * Laux[i] + thisMin - X[i]
                    diff = useMAD ? diff.magnitude8 : diff * diff
                    cur += W[i] * diff
                }
                let take = positive .& (cur .< best)
                if any(take) {
                    for i in 0..<n { L[i].replace(with: Laux[i], where: take) }
                    best.replace(with: cur, where: take)
                    scale.replace(with: thisScale, where: take)
                    min.replace(with: thisMin, where: take)
                }
            }
        }
        if any(degenerate) {
            for i in 0..<n { L[i].replace(with: 0, where: degenerate) }
            scale.replace(with: 0, where: degenerate)
            min.replace(with: earlyMin, where: degenerate)
        }
        return (scale, -min)
    }

    // MARK: - make_qx_quants in 16 lanes

    /// `make_qx_quants(n, nmax, x, L, rmse_type 1, qw)` for 16 groups of `n` elements (`QW` nil → weights x²).
    /// `L` receives codes `l + nmax` as exact floats. Returns the scale per lane.
    @inline(__always)
    static func makeQx(_ n: Int, _ nmax: Int32, _ X: UnsafePointer<V16>, _ QW: UnsafePointer<V16>?,
                       _ L: UnsafeMutablePointer<V16>) -> V16 {
        var max = V16(), amax = V16()
        for i in 0..<n {
            let ax = X[i].magnitude16
            let take = ax .> amax
            amax.replace(with: ax, where: take)
            max.replace(with: X[i], where: take)
        }
        let zero = amax .< QuantMath.groupMaxEps
        let fnmax = Float(nmax)
        let lo = SIMD16<Int32>(repeating: -nmax), hi = SIMD16<Int32>(repeating: nmax - 1)
        @inline(__always) func w(_ i: Int) -> V16 { QW.map { $0[i] } ?? X[i] * X[i] }
        var iscale = V16(repeating: Float(-nmax)) / max
        var sumlx = V16(), suml2 = V16()
        for i in 0..<n {
            let l = V16(pointwiseMax(lo, pointwiseMin(hi, nearestInt(iscale * X[i]))))
            let wi = w(i)
            sumlx += wi * X[i] * l
            suml2 += wi * l * l
        }
        var scale = (sumlx / suml2).replacing(with: 0, where: suml2 .== 0)
        var best = scale * sumlx
        var bestIscale = iscale
        for step in -9...9 where step != 0 {
            iscale = V16(repeating: -(fnmax + 0.1 * Float(step))) / max
            sumlx = V16(); suml2 = V16()
            for i in 0..<n {
                let l = V16(pointwiseMax(lo, pointwiseMin(hi, nearestInt(iscale * X[i]))))
                let wi = w(i)
                sumlx += wi * X[i] * l
                suml2 += wi * l * l
            }
            let take = (suml2 .> 0) .& (sumlx * sumlx .> best * suml2)
            if any(take) {
                scale.replace(with: sumlx / suml2, where: take)
                best.replace(with: scale * sumlx, where: take)
                bestIscale.replace(with: iscale, where: take)
            }
        }
        // The codes are a pure function of the winning iscale, so derive them once.
        let bias = V16(repeating: fnmax)
        for i in 0..<n {
            L[i] = (V16(pointwiseMax(lo, pointwiseMin(hi, nearestInt(bestIscale * X[i])))) + bias).replacing(with: 0, where: zero)
        }
        return scale.replacing(with: 0, where: zero)
    }
}
