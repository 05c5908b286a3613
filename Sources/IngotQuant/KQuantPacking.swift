/// Scale packing shared by the K-quants (ggml-common.h layouts, shared/docs/gguf-and-quants.md §3).
enum KQuantPacking {
    /// Writes 8 six-bit scales and mins into Q4_K/Q5_K's 12 bytes (`scales` points at them; zeroed first).
    @inline(__always)
    static func packScaleMinK4(_ ls: (Int) -> UInt8, _ lm: (Int) -> UInt8, into s: UnsafeMutablePointer<UInt8>) {
        for j in 0..<8 {
            let l = ls(j), m = lm(j)
            if j < 4 {
                s[j] = l
                s[j + 4] = m
            } else {
                s[j + 4] = (l & 0xF) | ((m & 0xF) << 4)
                s[j - 4] |= (l >> 4) << 6
                s[j] |= (m >> 4) << 6
            }
        }
    }

    /// `get_scale_min_k4(j, q)`.
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// `get_scale_min_k4` from a raw block pointer (`offset` = where the 12 scale bytes start).
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ b: UnsafeRawPointer, _ offset: Int) -> (UInt8, UInt8) {
        @inline(__always) func q(_ k: Int) -> UInt8 { b.load(fromByteOffset: offset + k, as: UInt8.self) }
        if j < 4 { return (q(j) & 63, q(j + 4) & 63) }
        return ((q(j + 4) & 0xF) | ((q(j - 4) >> 6) << 4), (q(j + 4) >> 4) | ((q(j) >> 6) << 4))
    }

    /// Q3_K: writes the 6-bit biased scale `l` (0…63) of group `j` into the 12 scale bytes (zeroed first).
    @inline(__always)
    static func packQ3Scale(_ j: Int, _ l: UInt8, into s: UnsafeMutablePointer<UInt8>) {
        if j < 8 { s[j] = l & 0xF } else { s[j - 8] |= (l & 0xF) << 4 }
        s[j % 4 + 8] |= (l >> 4) << UInt8(2 * (j / 4))
    }

    /// Q3_K: the signed scale of group `j` (`l - 32`).
    @inline(__always)
    static func q3Scale(_ j: Int, _ s: UnsafePointer<UInt8>) -> Int32 {
        let low = j < 8 ? s[j] & 0xF : s[j - 8] >> 4
        return Int32(low | (((s[8 + j % 4] >> UInt8(2 * (j / 4))) & 3) << 4)) - 32
    }

    /// Packs 256 two-bit codes as Q2_K/Q3_K do: `qs[32h + l] = L[128h+l] | L[+32]<<2 | L[+64]<<4 | L[+96]<<6`.
    @inline(__always)
    static func pack2Bit(_ L: UnsafePointer<UInt8>, into qs: UnsafeMutablePointer<UInt8>) {
        for h in 0..<2 {
            for l in 0..<32 {
                let j = 128 * h + l
                qs[32 * h + l] = L[j] | (L[j + 32] << 2) | (L[j + 64] << 4) | (L[j + 96] << 6)
            }
        }
    }
}
