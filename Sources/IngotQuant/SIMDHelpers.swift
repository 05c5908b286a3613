/// Small lane-wise helpers the kernels share (exact operations only: no rounding differs from the scalar forms).
extension SIMD8 where Scalar == Float {
    /// |v| per lane (clears the sign bit, exactly like `fabsf`).
    @inline(__always) var magnitude8: SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
    }
}

extension SIMD16 where Scalar == Float {
    @inline(__always) var magnitude16: SIMD16<Float> {
        unsafeBitCast(unsafeBitCast(self, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: SIMD16<Float>.self)
    }
}
