import IngotCore

/// The registry of block codecs: one literal line per type. Adding a type is adding a line.
public enum Codecs {
    /// Every codec Ingot has, encode-capable or decode-only.
    public static let all: [BlockCodec.Type] = [
        Q4_0.self,
        Q4_1.self,
        Q5_0.self,
        Q5_1.self,
        Q8_0.self,
        Q2_K.self,
        Q3_K.self,
        Q4_K.self,
        Q5_K.self,
        Q6_K.self,
        IQ4_NL.self,
        MXFP4.self,
        // decode only
        Q8_1.self,
        Q8_K.self,
        TQ1_0.self,
        TQ2_0.self,
        NVFP4.self,
        Q1_0.self,
        Q2_0.self,
    ]

    private static let byType: [ElementType: BlockCodec.Type] = {
        var m: [ElementType: BlockCodec.Type] = [:]
        for c in all {
            precondition(m[c.type] == nil, "two codecs for \(c.type)")
            m[c.type] = c
        }
        return m
    }()

    /// The codec for `type`, or nil.
    public static func codec(for type: ElementType) -> BlockCodec.Type? { byType[type] }

    /// Types ``Quantizer`` can produce: the encode-capable codecs plus the plain float types.
    public static var encodable: [ElementType] {
        [.f32, .f16, .bf16] + all.filter { $0.supportsEncode }.map { $0.type }
    }

    /// Types ``Quantizer`` can read back to floats: every codec plus the plain types `ElementConversion` handles.
    public static var decodable: [ElementType] {
        [.f32, .f16, .bf16] + all.map { $0.type }
    }

    /// The codec that can encode `type`, or an error listing the supported ones.
    public static func encoder(for type: ElementType) throws -> BlockCodec.Type {
        guard let c = byType[type], c.supportsEncode else { throw QuantError.encodeUnsupported(type, supported: encodable) }
        return c
    }

    /// The codec that can decode `type`, or an error listing the supported ones.
    public static func decoder(for type: ElementType) throws -> BlockCodec.Type {
        guard let c = byType[type] else { throw QuantError.decodeUnsupported(type, supported: decodable) }
        return c
    }
}
