import IngotCore

/// The plain scalar transcriptions of ggml's quantizers and dequantizers, one literal line per type.
///
/// These stay forever beside the fast paths: `FastPathTests` holds every codec's `encode`/`decode` equal to them
/// bit for bit, and `ingot-bench quant --reference` times them.
public enum ReferenceCodecs {
    /// Encodes one row of `blocks` blocks with the reference quantizer (`importance` nil or one float per element).
    /// Returns false when `type` has no reference encoder here.
    @discardableResult
    public static func encode(_ type: ElementType, _ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?,
                              blocks nb: Int, into y: UnsafeMutableRawPointer) -> Bool {
        switch type {
        case .q8_0: Q8_0.encodeReference(x, blocks: nb, into: y)
        case .q4_0: if let w = importance { Q4_0.encodeWeighted(x, w, blocks: nb, into: y) } else { Q4_0.encodeReference(x, blocks: nb, into: y) }
        case .q4_1: if let w = importance { Q4_1.encodeWeighted(x, w, blocks: nb, into: y) } else { Q4_1.encodeReference(x, blocks: nb, into: y) }
        case .q5_0: if let w = importance { Q5_0.encodeWeighted(x, w, blocks: nb, into: y) } else { Q5_0.encodeReference(x, blocks: nb, into: y) }
        case .q5_1: if let w = importance { Q5_1.encodeWeighted(x, w, blocks: nb, into: y) } else { Q5_1.encodeReference(x, blocks: nb, into: y) }
        case .q2_K: Q2_K.encodeReference(x, importance, blocks: nb, into: y)
        case .q3_K: Q3_K.encodeReference(x, importance, blocks: nb, into: y)
        case .q4_K: Q4_K.encodeReference(x, importance, blocks: nb, into: y)
        case .q5_K: Q5_K.encodeReference(x, importance, blocks: nb, into: y)
        case .q6_K: Q6_K.encodeReference(x, importance, blocks: nb, into: y)
        case .iq4_nl: IQ4_NL.encodeReference(x, importance, blocks: nb, into: y)
        case .mxfp4: MXFP4.encodeReference(x, blocks: nb, into: y)
        default: return false
        }
        return true
    }

    /// Decodes `blocks` blocks with the reference dequantizer. Returns false when `type` has none here.
    @discardableResult
    public static func decode(_ type: ElementType, _ q: UnsafeRawPointer, blocks nb: Int,
                              into y: UnsafeMutablePointer<Float>) -> Bool {
        switch type {
        case .q8_0: Q8_0.decodeReference(q, blocks: nb, into: y)
        case .q4_0: Q4_0.decodeReference(q, blocks: nb, into: y)
        case .q4_1: Q4_1.decodeReference(q, blocks: nb, into: y)
        case .q5_0: Q5_0.decodeReference(q, blocks: nb, into: y)
        case .q5_1: Q5_1.decodeReference(q, blocks: nb, into: y)
        case .q2_K: Q2_K.decodeReference(q, blocks: nb, into: y)
        case .q3_K: Q3_K.decodeReference(q, blocks: nb, into: y)
        case .q4_K: Q4_K.decodeReference(q, blocks: nb, into: y)
        case .q5_K: Q5_K.decodeReference(q, blocks: nb, into: y)
        case .q6_K: Q6_K.decodeReference(q, blocks: nb, into: y)
        case .iq4_nl: IQ4_NL.decodeReference(q, blocks: nb, into: y)
        case .mxfp4: MXFP4.decodeReference(q, blocks: nb, into: y)
        default: return false
        }
        return true
    }
}
