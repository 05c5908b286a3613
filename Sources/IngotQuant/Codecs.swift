import IngotCore

/// The registry of block codecs: one literal line per type. Adding a type is adding a line.
///
/// Whether a type can be produced is told by its protocol: ``BlockCodec`` encodes and decodes, a plain
/// ``BlockDecoder`` only decodes (ggml's activation formats, types without a reference quantizer here).
public enum Codecs {
    /// Every codec Ingot has, encode-capable or decode-only.
    public static let all: [any BlockDecoder.Type] = [
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
        IQ4_XS.self,
        IQ3_XXS.self,
        IQ3_S.self,
        IQ2_S.self,
        IQ2_XS.self,
        IQ2_XXS.self,
        IQ1_S.self,
        IQ1_M.self,
        MXFP4.self,
        Q8_1.self,
        Q8_K.self,
        TQ1_0.self,
        TQ2_0.self,
        NVFP4.self,
        Q1_0.self,
        Q2_0.self,
    ]

    /// The codecs that can also encode, in registry order.
    public static let encoders: [any BlockCodec.Type] = all.compactMap { $0 as? any BlockCodec.Type }

    private static let byType: [ElementType: any BlockDecoder.Type] = {
        var m: [ElementType: any BlockDecoder.Type] = [:]
        for c in all {
            precondition(m[c.type] == nil, "two codecs for \(c.type)")
            m[c.type] = c
        }
        return m
    }()

    /// The codec for `type` (encode-capable or not), or nil.
    public static func codec(for type: ElementType) -> (any BlockDecoder.Type)? { byType[type] }

    /// Types ``Quantizer`` can produce: the encode-capable codecs plus the plain float types.
    public static var encodable: [ElementType] {
        [.f32, .f16, .bf16] + encoders.map { $0.type }
    }

    /// Types ``Quantizer`` can read back to floats: every codec plus the plain types `ElementConversion` handles.
    public static var decodable: [ElementType] {
        [.f32, .f16, .bf16] + all.map { $0.type }
    }

    /// The codec that can encode `type`, or an error listing the supported ones.
    public static func encoder(for type: ElementType) throws -> any BlockCodec.Type {
        guard let c = byType[type] as? any BlockCodec.Type else { throw QuantError.encodeUnsupported(type, supported: encodable) }
        return c
    }

    /// The codec that can decode `type`, or an error listing the supported ones.
    public static func decoder(for type: ElementType) throws -> any BlockDecoder.Type {
        guard let c = byType[type] else { throw QuantError.decodeUnsupported(type, supported: decodable) }
        return c
    }
}
