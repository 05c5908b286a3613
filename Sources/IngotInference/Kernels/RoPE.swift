import Foundation
import IngotModel

// RopeScaling and RopeStyle are part of an architecture's description and live in IngotModel
// (Architectures/RopeScaling.swift); these aliases keep inference's spelling of them.
public typealias RopeScaling = IngotModel.RopeScaling
public typealias RopeStyle = IngotModel.RopeStyle

/// RoPE for one head size: the frequencies, the attention factor, and the rotation.
struct RoPE {
    let headDim: Int
    /// `d/2` inverse frequencies, float32 as transformers computes them.
    let invFreq: [Float]
    /// Multiplies both cos and sin (YaRN's mscale; 1 otherwise).
    let attentionFactor: Float
    let style: RopeStyle

    init(headDim d: Int, theta: Double, scaling: RopeScaling, style: RopeStyle) {
        headDim = d
        self.style = style
        let half = d / 2
        // inv_freq = 1 / base^(arange(0, d, 2) / d), all float32 (torch.pow of a python scalar and a float tensor).
        let posFreqs: [Float] = (0..<half).map { i in powf(Float(theta), Float(2 * i) / Float(d)) }
        let base: [Float] = posFreqs.map { 1 / $0 }
        var factor: Float = 1
        switch scaling {
        case .none:
            invFreq = base
        case let .linear(f):
            invFreq = base.map { $0 / Float(f) }
        case let .llama3(f, lowFF, highFF, old):
            let lowWavelen = old / lowFF, highWavelen = old / highFF
            invFreq = base.map { inv in
                let wavelen = 2 * Float.pi / inv
                var v = Double(wavelen) > lowWavelen ? inv / Float(f) : inv
                let smooth = (Float(old) / wavelen - Float(lowFF)) / Float(highFF - lowFF)
                let smoothed = (1 - smooth) * v / Float(f) + smooth * v
                let medium = !(Double(wavelen) < highWavelen) && !(Double(wavelen) > lowWavelen)
                if medium { v = smoothed }
                return v
            }
        case let .yarn(f, omax, betaFast, betaSlow, truncate, attn, mscale, mscaleAllDim):
            func corrDim(_ r: Double) -> Double { Double(d) * Foundation.log(omax / (r * 2 * Double.pi)) / (2 * Foundation.log(theta)) }
            var low = corrDim(betaFast), high = corrDim(betaSlow)
            if truncate { low = low.rounded(.down); high = high.rounded(.up) }
            low = max(low, 0); high = min(high, Double(d - 1))
            if low == high { high += 0.001 }
            invFreq = (0..<half).map { i in
                let ramp = min(max((Float(i) - Float(low)) / Float(high - low), 0), 1)
                let e = 1 - ramp
                let extrap = 1 / posFreqs[i], interp = 1 / (Float(f) * posFreqs[i])
                return interp * (1 - e) + extrap * e
            }
            func g(_ s: Double, _ m: Double = 1) -> Double { s <= 1 ? 1 : 0.1 * m * Foundation.log(s) + 1 }
            if let attn { factor = Float(attn) }
            else if let mscale, let mscaleAllDim { factor = Float(g(f, mscale) / g(f, mscaleAllDim)) }
            else { factor = Float(g(f)) }
        case let .frequencyFactors(ff):
            precondition(ff.count == half)
            invFreq = zip(base, ff).map { $0 / $1 }
        }
        attentionFactor = factor
    }

    /// cos and sin tables `[positions.count, d/2]`, already multiplied by the attention factor.
    func tables(positions: Range<Int>) -> (cos: [Float], sin: [Float]) {
        let half = headDim / 2
        var c = [Float](repeating: 0, count: positions.count * half), s = c
        for (t, p) in positions.enumerated() {
            for i in 0..<half {
                let a = Float(p) * invFreq[i]
                c[t * half + i] = cosf(a) * attentionFactor
                s[t * half + i] = sinf(a) * attentionFactor
            }
        }
        return (c, s)
    }

    /// Rotates `heads` heads of each of `tokens` rows in place; row `t` starts at `x + t·ld`, head `h` at `+ h·d`.
    func apply(_ x: UnsafeMutablePointer<Float>, tokens: Int, heads: Int, ld: Int, cos: [Float], sin: [Float]) {
        let half = headDim / 2
        cos.withUnsafeBufferPointer { cp in
            sin.withUnsafeBufferPointer { sp in
                for t in 0..<tokens {
                    let c = cp.baseAddress! + t * half, s = sp.baseAddress! + t * half
                    for h in 0..<heads {
                        let v = x + t * ld + h * headDim
                        switch style {
                        case .halves:
                            for i in 0..<half {
                                let x1 = v[i], x2 = v[i + half]
                                v[i] = x1 * c[i] - x2 * s[i]
                                v[i + half] = x2 * c[i] + x1 * s[i]
                            }
                        case .interleaved:
                            for i in 0..<half {
                                let x1 = v[2 * i], x2 = v[2 * i + 1]
                                v[2 * i] = x1 * c[i] - x2 * s[i]
                                v[2 * i + 1] = x2 * c[i] + x1 * s[i]
                            }
                        }
                    }
                }
            }
        }
    }
}

extension RoPE {
    /// The plain reference, written as transformers writes it: frequencies duplicated to length d (or repeated per
    /// pair for the interleaved style), `x·cos + rotate(x)·sin`, one head at a time.
    func reference(_ x: [Float], tokens: Int, heads: Int, positions: Range<Int>) -> [Float] {
        let d = headDim, half = d / 2
        var y = x
        for (t, p) in positions.enumerated() {
            for h in 0..<heads {
                let base = (t * heads + h) * d
                for j in 0..<d {
                    let i = style == .halves ? j % half : j / 2
                    let a = Float(p) * invFreq[i]
                    let c = cosf(a) * attentionFactor, s = sinf(a) * attentionFactor
                    let rotated: Float
                    switch style {
                    case .halves: rotated = j < half ? -x[base + j + half] : x[base + j - half]
                    case .interleaved: rotated = j % 2 == 0 ? -x[base + j + 1] : x[base + j - 1]
                    }
                    y[base + j] = x[base + j] * c + rotated * s
                }
            }
        }
        return y
    }
}
