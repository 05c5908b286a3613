import IngotCore

/// Why a tokenizer could not be loaded or used. Messages name the file and the key (a JSON path such as
/// `model.merges[17]`, or a GGUF key) so a user can find the problem.
public enum TokenizerError: IngotDiagnostic, Equatable {
    /// A required key is absent.
    case missingKey(file: String, key: String)
    /// A key holds the wrong kind of value or an impossible value.
    case invalid(file: String, key: String, message: String)
    /// A component type (normalizer, pre-tokenizer, model, decoder, post-processor) Ingot does not implement.
    case unsupported(file: String, key: String, what: String, supported: [String])
    /// A GGUF `tokenizer.ggml.pre` name Ingot does not map to a split pattern.
    case unknownPreTokenizer(file: String, name: String, supported: [String])
    /// tokenizer.json's pre-tokenizer matches nothing llama.cpp knows.
    case undetectablePreTokenizer(file: String, found: String, closest: String)
    /// A vocabulary or count exceeds Ingot's caps (hostile input).
    case tooLarge(file: String, key: String, count: Int, limit: Int)

    public var description: String {
        switch self {
        case .missingKey(let f, let k):
            return "\(f): \(k): missing"
        case .invalid(let f, let k, let m):
            return "\(f): \(k): \(m)"
        case .unsupported(let f, let k, let w, let s):
            return "\(f): \(k): unsupported \(w); supported: \(s.joined(separator: ", "))"
        case .unknownPreTokenizer(let f, let n, let s):
            return "\(f): tokenizer.ggml.pre: unknown pre-tokenizer '\(n)'; supported: \(s.joined(separator: ", "))"
        case .undetectablePreTokenizer(let f, let found, let closest):
            return "\(f): pre_tokenizer: \(found) matches no pre-tokenizer llama.cpp knows; closest is '\(closest)'"
        case .tooLarge(let f, let k, let c, let l):
            return "\(f): \(k): \(c) entries exceeds the limit of \(l)"
        }
    }

    public var hint: String? {
        switch self {
        case .unknownPreTokenizer, .undetectablePreTokenizer:
            return "Ingot implements the GPT-2, Llama-3 and o200k split patterns"
        default: return nil
        }
    }
}

/// Caps applied before allocating from counts a file states.
enum TokenizerLimits {
    /// Largest vocabulary accepted (the biggest public vocabularies are ~260k).
    static let maxVocabulary = 4_000_000
    /// Largest merge list accepted.
    static let maxMerges = 8_000_000
    /// Longest single token, in bytes.
    static let maxTokenBytes = 65_536
}
