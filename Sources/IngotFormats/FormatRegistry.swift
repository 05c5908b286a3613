import IngotCore

/// One file format Ingot reads: how to recognise it from its first bytes (never its name) and how to open it.
public struct FileFormat: Sendable {
    /// Name as messages print it: `"GGUF"`, `"safetensors"`.
    public let name: String
    /// What it opens, for the "supported formats" line of errors and help.
    public let reads: String
    /// Whether `head` is this format (a directory's `head` has no bytes).
    public let recognises: @Sendable (FileHead) -> Bool
    /// Opens the path as one source (a sharded or split input as a whole).
    public let open: @Sendable (String, OpenOptions) throws -> any TensorSource
}

/// How `ModelOpener.open` treats inputs that are part of something larger.
public struct OpenOptions: Sendable {
    /// Open a later file of a gguf-split set as just that file (`inspect` shows any file's own header) instead of
    /// refusing it with "pass the first file" (what every command that reads the model needs).
    public var laterShardAlone = false

    public init(laterShardAlone: Bool = false) { self.laterShardAlone = laterShardAlone }
}

/// The formats, in the order they are tried: adding a format is its reader (with its `recognises` rule) and one
/// row here.
public enum FormatRegistry {
    public static let formats: [FileFormat] = [
        FileFormat(name: "GGUF", reads: ".gguf files, and gguf-split sets given their first file",
                   recognises: { GGUFReader.recognises($0) },
                   open: { try GGUFSplitSet.open($0, laterShardAlone: $1.laterShardAlone) }),
        FileFormat(name: "safetensors",
                   reads: ".safetensors files, *.safetensors.index.json and Hugging Face checkpoint directories",
                   recognises: { SafetensorsReader.recognises($0) }, open: { path, _ in try SafetensorsReader(path: path) }),
    ]

    /// The format of `head`, or nil.
    public static func format(of head: FileHead) -> FileFormat? { formats.first { $0.recognises(head) } }

    /// One line naming every format and what it reads.
    public static var supported: String {
        formats.map { "\($0.name) (\($0.reads))" }.joined(separator: "; ")
    }
}
