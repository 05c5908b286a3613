/// Which container format a `TensorSource` reads: a typed identity, so code that treats GGUF inputs differently
/// (their metadata and tensor names are already GGUF's) compares a value instead of a spelling.
public struct FormatID: Hashable, Sendable, CustomStringConvertible {
    /// Short lower-case name, as reports print it: `"gguf"`, `"safetensors"`.
    public let name: String

    public init(_ name: String) { self.name = name }

    /// GGUF (a file or a gguf-split set): GGUF metadata keys and GGUF tensor names.
    public static let gguf = FormatID("gguf")
    /// safetensors (a file, an index or a Hugging Face directory): Hugging Face tensor names.
    public static let safetensors = FormatID("safetensors")

    public var description: String { name }
}
