import IngotCore

/// A JSON document that could not be parsed: what was wrong, what was expected, and where
/// (byte offset, 1-based line and column counted in characters).
public struct JSONError: IngotDiagnostic, Equatable, Sendable {
    /// What kind of fault.
    public enum Kind: String, Sendable {
        case syntax, truncated, invalidUTF8, loneSurrogate, controlCharacter, trailingData, duplicateKey, tooDeep
    }

    public var kind: Kind
    /// File the document came from, when known.
    public var path: String?
    /// Byte offset of the fault from the start of the document.
    public var offset: Int
    public var line: Int
    public var column: Int
    /// What was found and what was expected there ("expected ',' or '}' after object member, found 'x'").
    public var message: String

    public init(kind: Kind, path: String? = nil, offset: Int, line: Int, column: Int, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "\(path ?? "JSON"): line \(line), column \(column) (byte \(offset)): \(message)"
    }

    public var hint: String? {
        switch kind {
        case .duplicateKey: return "each key may appear once per object; remove the repeated member"
        case .invalidUTF8: return "JSON text must be UTF-8; re-save the file as UTF-8"
        case .tooDeep: return "the document nests deeper than the parser allows; it is probably not a real config"
        default: return "check that the file is complete, valid JSON (e.g. `python3 -m json.tool FILE`)"
        }
    }

    /// The same error attributed to `path`.
    public func withPath(_ path: String) -> JSONError {
        var e = self
        e.path = path
        return e
    }
}
