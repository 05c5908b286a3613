import IngotCore
import IngotQuant

/// Turns whole rows of one stored element type into floats: plain types through `ElementConversion`,
/// ggml block types through IngotQuant's codecs. Resolved once per tensor, so an unsupported type fails at load
/// time naming the tensor, never in the middle of a forward pass.
struct RowDecoder {
    let type: ElementType
    let rowLength: Int
    let rowBytes: Int
    let codec: (any BlockDecoder.Type)?

    /// Plain types Ingot reads for inference.
    static let plainTypes: [ElementType] = [.f32, .f16, .bf16, .f64, .f8E4M3, .f8E5M2]
    static func isPlain(_ t: ElementType) -> Bool { plainTypes.contains(t) }

    /// Every type inference can read.
    static var supportedTypes: [ElementType] { plainTypes + Codecs.all.map { $0.type } }

    init(type: ElementType, tensor: String, file: String, rowLength: Int) throws {
        if RowDecoder.isPlain(type) {
            codec = nil
        } else if let c = Codecs.codec(for: type) {
            codec = c
        } else {
            throw InferenceError.unsupportedType(name: tensor, file: file, type: type.displayName,
                                                 supported: RowDecoder.supportedTypes.map(\.displayName))
        }
        guard rowLength % type.blockElements == 0 else {
            throw InferenceError.badConfig(key: tensor, file: file,
                                           message: "row of \(rowLength) is not a whole number of \(type.displayName) blocks")
        }
        self.type = type
        self.rowLength = rowLength
        self.rowBytes = try type.byteCount(elements: rowLength)
    }

    /// Decodes `rows` consecutive rows starting at `src` into `dst`.
    func decode(_ src: UnsafeRawPointer, rows: Int, into dst: UnsafeMutablePointer<Float>) {
        if let codec {
            codec.decode(UnsafeRawBufferPointer(start: src, count: rows * rowBytes),
                         into: UnsafeMutableBufferPointer(start: dst, count: rows * rowLength))
        } else {
            ElementConversion.toFloat(type, src, dst, count: rows * rowLength)
        }
    }
}
