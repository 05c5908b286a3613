/// Fast paths for Q4_K: the lane-parallel encoder (``KQuant45Fast``) and a vectorized decoder doing the
/// reference's `d1 * q - m1` per element in SIMD16 lanes. Both held equal to ``Q4_K``'s references by `FastPathTests`.
enum Q4_KFast {
    static func decode(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        let qk = Q4_K.blockElements, bytes = Q4_K.blockBytes
        let out = UnsafeMutableRawPointer(y)
        for i in 0..<nb {
            let b = q + i * bytes
            let d = QuantMath.loadF16(b, Q4_K.oD), min = QuantMath.loadF16(b, Q4_K.oDmin)
            for c in 0..<4 {
                let (sc1, m1) = KQuantPacking.scaleMinK4(2 * c, b, Q4_K.oScales)
                let (sc2, m2) = KQuantPacking.scaleMinK4(2 * c + 1, b, Q4_K.oScales)
                let d1 = SIMD16<Float>(repeating: d * Float(sc1)), mm1 = SIMD16<Float>(repeating: min * Float(m1))
                let d2 = SIMD16<Float>(repeating: d * Float(sc2)), mm2 = SIMD16<Float>(repeating: min * Float(m2))
                let base = (i * qk + 64 * c) * 4
                for h in 0..<2 {
                    let v = b.loadUnaligned(fromByteOffset: Q4_K.oQs + 32 * c + 16 * h, as: SIMD16<UInt8>.self)
                    let lo = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v & 0x0F))
                    let hi = SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: v &>> 4))
                    out.storeBytes(of: d1 * lo - mm1, toByteOffset: base + 64 * h, as: SIMD16<Float>.self)
                    out.storeBytes(of: d2 * hi - mm2, toByteOffset: base + 128 + 64 * h, as: SIMD16<Float>.self)
                }
            }
        }
    }
}
