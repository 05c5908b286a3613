/// Whole-buffer conversions between stored element types and Float, for plain (non-block) types.
/// Quantized block types are decoded by IngotQuant, not here.
public enum ElementConversion {
    /// Decodes `count` elements of plain type `type` from `src` (little-endian, unaligned) into `dst`.
    /// Returns false when `type` is not a plain numeric type (block types, Ingot layouts).
    @discardableResult
    public static func toFloat(_ type: ElementType, _ src: UnsafeRawPointer, _ dst: UnsafeMutablePointer<Float>, count: Int) -> Bool {
        switch type {
        case .f32:
            for i in 0..<count { dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .f16:
            var i = 0
            while i + 8 <= count {
                let h = src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)
                let f = HalfPrecision.float(fromF16: h)
                UnsafeMutableRawPointer(dst + i).storeBytes(of: f, as: SIMD8<Float>.self)
                i += 8
            }
            while i < count { dst[i] = HalfPrecision.float(fromF16: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)); i += 1 }
        case .bf16:
            var i = 0
            while i + 8 <= count {
                let h = SIMD8<UInt32>(truncatingIfNeeded: src.loadUnaligned(fromByteOffset: 2 * i, as: SIMD8<UInt16>.self)) &<< 16
                UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<Float>(bitPattern: h), as: SIMD8<Float>.self)
                i += 8
            }
            while i < count { dst[i] = HalfPrecision.float(fromBF16: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)); i += 1 }
        case .f64:
            for i in 0..<count { dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .f8E4M3:
            for i in 0..<count { dst[i] = HalfPrecision.float(fromE4M3: src.load(fromByteOffset: i, as: UInt8.self)) }
        case .f8E5M2:
            for i in 0..<count { dst[i] = HalfPrecision.float(fromE5M2: src.load(fromByteOffset: i, as: UInt8.self)) }
        case .i8: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .u8, .bool: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .i16: for i in 0..<count { dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))) }
        case .u16: for i in 0..<count { dst[i] = Float(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
        case .i32: for i in 0..<count { dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .u32: for i in 0..<count { dst[i] = Float(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .i64: for i in 0..<count { dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        case .u64: for i in 0..<count { dst[i] = Float(UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))) }
        default: return false
        }
        return true
    }

    /// Encodes `count` floats as plain float type `type` (F32, F16, BF16, F64, F8_*) into `dst`.
    /// Returns false for any other type.
    @discardableResult
    public static func fromFloat(_ type: ElementType, _ src: UnsafePointer<Float>, _ dst: UnsafeMutableRawPointer, count: Int) -> Bool {
        switch type {
        case .f32:
            for i in 0..<count { dst.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        case .f16:
            var i = 0
            while i + 8 <= count {
                let f = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
                dst.storeBytes(of: HalfPrecision.f16Bits(f), toByteOffset: 2 * i, as: SIMD8<UInt16>.self)
                i += 8
            }
            while i < count { dst.storeBytes(of: HalfPrecision.f16Bits(src[i]), toByteOffset: 2 * i, as: UInt16.self); i += 1 }
        case .bf16:
            for i in 0..<count { dst.storeBytes(of: HalfPrecision.bf16Bits(src[i]), toByteOffset: 2 * i, as: UInt16.self) }
        case .f64:
            for i in 0..<count { dst.storeBytes(of: Double(src[i]).bitPattern.littleEndian, toByteOffset: 8 * i, as: UInt64.self) }
        case .f8E4M3:
            for i in 0..<count { dst.storeBytes(of: HalfPrecision.e4m3Bits(src[i]), toByteOffset: i, as: UInt8.self) }
        case .f8E5M2:
            for i in 0..<count { dst.storeBytes(of: HalfPrecision.e5m2Bits(src[i]), toByteOffset: i, as: UInt8.self) }
        default: return false
        }
        return true
    }
}
