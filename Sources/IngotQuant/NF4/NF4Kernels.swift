/// The NF4/FP4 block kernels: a plain scalar reference for each direction and a fast path that computes the same
/// float32 operations (so results are identical; `NF4KernelTests` holds them equal on random data, ties included).
/// Encode's fast path is a SIMD block maximum and a four-step midpoint search (two elements interleaved); decode's is
/// a SIMD lookup through a byte → value-pair table.

// MARK: - Encode

final class EncodeKernel {
    let midpoints: [Float]
    let sortedCodes: [UInt8]
    /// The padding nibble for an odd element count: the code of scaled 0.0.
    let zeroCode: UInt8
    /// The 15 midpoints plus +Inf (never below a clamped value), and the codes, at fixed addresses for the fast path.
    private let padded: UnsafeMutablePointer<Float>
    private let codes: UnsafeMutablePointer<UInt8>

    init(type: FourBitType) {
        midpoints = type.midpoints
        sortedCodes = type.sortedCodes
        var z = 0
        while z < 15 && midpoints[z] < 0 { z += 1 }
        zeroCode = type.sortedCodes[z]
        padded = .allocate(capacity: 16)
        codes = .allocate(capacity: 16)
        for i in 0..<15 { padded[i] = midpoints[i] }
        padded[15] = .infinity
        for i in 0..<16 { codes[i] = sortedCodes[i] }
    }

    deinit {
        padded.deallocate()
        codes.deallocate()
    }

    /// bitsandbytes' `bucketize(scaled, midpoints)`: the count of midpoints strictly below `s`, as a code.
    @inline(__always)
    func code(_ s: Float) -> UInt8 {
        var i = 0
        while i < 15 && midpoints[i] < s { i += 1 }
        return sortedCodes[i]
    }

    /// Block `b`'s scale and scaling rule: full blocks multiply by the reciprocal, the partial last block divides.
    @inline(__always)
    func blockScale(_ x: UnsafeBufferPointer<Float>, lo: Int, hi: Int, full: Bool) -> Float {
        var amax: Float = 0
        for i in lo..<hi { amax = max(amax, abs(x[i])) }
        return full ? amax : max(amax, NF4Quantizer.minAbsmax)
    }

    /// Scalar reference: quantizes block `b` into its bytes of `packed` and its `absmax` entry.
    func encodeBlockReference(_ x: UnsafeBufferPointer<Float>, n: Int, block b: Int, blockSize bs: Int,
                              packed: UnsafeMutableBufferPointer<UInt8>, absmax: UnsafeMutableBufferPointer<Float>) {
        let lo = b * bs, hi = min(n, lo + bs), full = hi - lo == bs
        let am = blockScale(x, lo: lo, hi: hi, full: full)
        absmax[b] = am
        let recip = 1 / max(am, NF4Quantizer.minAbsmax)
        var i = lo
        while i < hi {
            let s0 = full ? x[i] * recip : x[i] / am
            let c0 = code(min(max(s0, -1), 1))
            var c1 = zeroCode
            if i + 1 < hi {
                let s1 = full ? x[i + 1] * recip : x[i + 1] / am
                c1 = code(min(max(s1, -1), 1))
            }
            packed[i / 2] = c0 << 4 | c1
            i += 2
        }
    }

    /// Fast path for full blocks: the block maximum in SIMD lanes (|x| by clearing the sign bit), then per element the
    /// reference's `x * recip` and clamp, and a four-step search of the padded midpoints that yields the same count
    /// of midpoints strictly below the value as the reference's linear scan (a value on a midpoint is not counted,
    /// so it takes the lower entry). Blocks that are partial or not a multiple of 8 go to the reference.
    func encodeBlockFast(_ x: UnsafeBufferPointer<Float>, n: Int, block b: Int, blockSize bs: Int,
                         packed: UnsafeMutableBufferPointer<UInt8>, absmax: UnsafeMutableBufferPointer<Float>) {
        let lo = b * bs
        guard lo + bs <= n, bs % 8 == 0 else {
            encodeBlockReference(x, n: n, block: b, blockSize: bs, packed: packed, absmax: absmax)
            return
        }
        let xp = x.baseAddress! + lo
        let raw = UnsafeRawPointer(xp)
        var vmax = SIMD8<Float>(repeating: 0)
        for j in stride(from: 0, to: bs, by: 8) {
            let v = raw.loadUnaligned(fromByteOffset: 4 * j, as: SIMD8<Float>.self)
            let a = unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
            vmax.replace(with: a, where: a .> vmax)
        }
        let am = vmax.max()
        absmax[b] = am
        let recip = 1 / max(am, NF4Quantizer.minAbsmax)
        let out = packed.baseAddress! + lo / 2
        let m = padded
        for j in stride(from: 0, to: bs, by: 2) {
            var s0 = xp[j] * recip, s1 = xp[j + 1] * recip
            s0 = s0 < -1 ? -1 : (s0 > 1 ? 1 : s0)
            s1 = s1 < -1 ? -1 : (s1 > 1 ? 1 : s1)
            var i0 = m[7] < s0 ? 8 : 0, i1 = m[7] < s1 ? 8 : 0
            i0 += m[i0 + 3] < s0 ? 4 : 0; i1 += m[i1 + 3] < s1 ? 4 : 0
            i0 += m[i0 + 1] < s0 ? 2 : 0; i1 += m[i1 + 1] < s1 ? 2 : 0
            i0 += m[i0] < s0 ? 1 : 0; i1 += m[i1] < s1 ? 1 : 0
            out[j / 2] = codes[i0] << 4 | codes[i1]
        }
    }
}

// MARK: - Decode

struct DecodeKernel {
    let codebook: [Float]
    /// For every byte value, the two floats it decodes to before scaling: (code[hi], code[lo]).
    let pairs: [Float]

    init(codebook: [Float]) {
        self.codebook = codebook
        var p = [Float](repeating: 0, count: 512)
        for byte in 0..<256 {
            p[2 * byte] = codebook[byte >> 4]
            p[2 * byte + 1] = codebook[byte & 15]
        }
        pairs = p
    }

    /// Scalar reference: `out[i] = codebook[nibble(i)] * absmax` for the elements of block `b`.
    func decodeBlockReference(_ packed: UnsafeBufferPointer<UInt8>, absmax: Float, n: Int, block b: Int,
                              blockSize bs: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let lo = b * bs, hi = min(n, lo + bs)
        for i in lo..<hi {
            let byte = packed[i / 2]
            let nib = i % 2 == 0 ? byte >> 4 : byte & 15
            out[i] = codebook[Int(nib)] * absmax
        }
    }

    /// Vectorized path: four bytes (eight elements) per step through the byte → pair table, one SIMD8 multiply.
    func decodeBlockFast(_ packed: UnsafeBufferPointer<UInt8>, absmax: Float, n: Int, block b: Int,
                         blockSize bs: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let lo = b * bs
        guard lo + bs <= n, bs % 8 == 0 else {
            decodeBlockReference(packed, absmax: absmax, n: n, block: b, blockSize: bs, into: out)
            return
        }
        let scale = SIMD8<Float>(repeating: absmax)
        let src = packed.baseAddress! + lo / 2
        let dst = UnsafeMutableRawPointer(out.baseAddress! + lo)
        pairs.withUnsafeBufferPointer { t in
            let tp = t.baseAddress!
            for j in stride(from: 0, to: bs / 2, by: 4) {
                let b0 = 2 * Int(src[j]), b1 = 2 * Int(src[j + 1]), b2 = 2 * Int(src[j + 2]), b3 = 2 * Int(src[j + 3])
                let v = SIMD8<Float>(tp[b0], tp[b0 + 1], tp[b1], tp[b1 + 1], tp[b2], tp[b2 + 1], tp[b3], tp[b3 + 1])
                dst.storeBytes(of: v * scale, toByteOffset: 8 * j, as: SIMD8<Float>.self)
            }
        }
    }
}
