import IngotCore

/// One tensor of a multi-tensor weight layout (NF4/FP4 or INT8), as plain data: what a safetensors writer needs.
///
/// IngotQuant does no file I/O; the converter hands these to IngotFormats' writer, and a reader hands them back
/// through a lookup closure. Numbers in `bytes` are little-endian.
public struct WeightComponent: Equatable, Sendable {
    /// Full tensor name (`model.layers.0.mlp.down_proj.weight.absmax`).
    public var name: String
    /// safetensors element type (`.u8`, `.f32`, `.f16`, `.i8`).
    public var dtype: ElementType
    /// Shape, outermost first.
    public var shape: [Int]
    /// Raw little-endian bytes, `elementCount × dtype.blockBytes` long.
    public var bytes: [UInt8]

    public init(name: String, dtype: ElementType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// A float32 component.
    public static func f32(_ name: String, shape: [Int], _ values: [Float]) -> WeightComponent {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * 4)
        for v in values {
            let b = v.bitPattern.littleEndian
            bytes.append(UInt8(truncatingIfNeeded: b))
            bytes.append(UInt8(truncatingIfNeeded: b >> 8))
            bytes.append(UInt8(truncatingIfNeeded: b >> 16))
            bytes.append(UInt8(truncatingIfNeeded: b >> 24))
        }
        return WeightComponent(name: name, dtype: .f32, shape: shape, bytes: bytes)
    }

    /// The values of an F32 component (nil for another dtype or a byte count that is not 4 × elements).
    public var float32Values: [Float]? {
        guard dtype == .f32, bytes.count % 4 == 0 else { return nil }
        return (0..<bytes.count / 4).map { i in
            let b = UInt32(bytes[4 * i]) | UInt32(bytes[4 * i + 1]) << 8 | UInt32(bytes[4 * i + 2]) << 16
                | UInt32(bytes[4 * i + 3]) << 24
            return Float(bitPattern: b)
        }
    }

    /// Checks dtype, and that the shape's element count is `elements` (shape itself free unless `shape` is given).
    func check(dtype expected: ElementType, elements: Int, shape exact: [Int]? = nil) throws {
        guard dtype == expected else {
            throw WeightLayoutError.wrongDType(tensor: name, expected: expected.safetensorsName ?? expected.displayName,
                                              found: dtype.safetensorsName ?? dtype.displayName)
        }
        let count = (try? ElementType.elementCount(shape)) ?? -1
        if let exact, exact != shape {
            throw WeightLayoutError.wrongShape(tensor: name, expected: "\(exact)", found: shape)
        }
        guard count == elements else {
            throw WeightLayoutError.wrongShape(tensor: name, expected: "\(elements) elements", found: shape)
        }
        guard bytes.count == elements * dtype.blockBytes else {
            throw WeightLayoutError.wrongShape(tensor: name,
                                               expected: "\(elements * dtype.blockBytes) bytes (has \(bytes.count))",
                                               found: shape)
        }
    }
}
