import IngotCore
import IngotQuant

/// Whether Ingot can produce every planned tensor, decided from the plan alone, before any byte is written.
///
/// The planner (IngotModel) chooses types as llama-quantize does, including types Ingot has no encoder for yet;
/// IngotModel does not import IngotQuant, so the check against the codec registry (`Codecs.encodable`) lives here.
/// Without it such a plan failed only when conversion reached the tensor.
enum EncoderCheck {
    /// The outputs whose data would need an encoder Ingot lacks, in plan order. A tensor whose bytes are copied
    /// (its type is its source's), a layout component (NF4, INT8: their own quantizers) and a type in
    /// `Codecs.encodable` (the plain floats and every encode-capable codec) can be produced.
    static func unproducible(_ outputs: [PlannedOutput]) -> [PlannedOutput] {
        let encodable = Set(Codecs.encodable)
        return outputs.filter { t in
            if case .component = t.origin { return false }
            return t.type != t.sourceType && !encodable.contains(t.type)
        }
    }

    /// The refusal for `unproducible` (non-empty), naming the first tensor and type, the count per type and the
    /// types Ingot can produce.
    static func error(_ unproducible: [PlannedOutput]) -> ConvertError? {
        guard let first = unproducible.first else { return nil }
        var order: [ElementType] = []
        var counts: [ElementType: Int] = [:]
        for t in unproducible {
            if counts[t.type] == nil { order.append(t.type) }
            counts[t.type, default: 0] += 1
        }
        return .noEncoder(tensor: first.name, type: first.type.displayName, reason: first.reason,
                          counts: order.map { "\($0.displayName) ×\(counts[$0]!)" },
                          supported: Codecs.encodable.map(\.displayName))
    }
}
