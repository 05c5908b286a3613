import Foundation
import IngotFormats

/// Derives llama.cpp's `tokenizer.ggml.pre` name from what tokenizer.json's pre-tokenizer actually does
/// (its Split regex and options, ByteLevel's `add_prefix_space` / `use_regex`), not from a hash of probe
/// ids: a tokenizer that splits like Llama-3 is "llama-bpe" whatever its vocabulary.
public enum PreTokenizerDetector {
    /// The pre-tokenizer shapes llama.cpp knows, by name. Ingot tokenizes the first three itself.
    static let known: [(name: String, regex: String)] = [
        ("gpt-2", SplitPattern.gpt2.regex),
        ("llama-bpe", SplitPattern.llama3.regex),
        ("gpt-4o", SplitPattern.o200k.regex),
        ("qwen2", #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#),
        ("tekken", #"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"#),
    ]

    /// The llama.cpp name for a tokenizer.json file.
    public static func detect(tokenizerJSON path: String) throws -> String {
        try detect(JSON.parseFile(path), file: (path as NSString).lastPathComponent)
    }

    /// The llama.cpp name for a parsed tokenizer.json. Throws `undetectablePreTokenizer` naming the closest
    /// known pre-tokenizer when none matches.
    public static func detect(_ json: JSONValue, file: String = "tokenizer.json") throws -> String {
        let pre = json["pre_tokenizer"]
        let model = json["model"]
        // SentencePiece-style vocabularies (no pre-tokenizer or Metaspace, byte fallback) convert as
        // tokenizer.ggml.model "llama", whose pre-tokenizer is always "default".
        if pre == nil || pre!.isNull || pre?["type"]?.string == "Metaspace" {
            if model?["byte_fallback"]?.bool == true || pre?["type"]?.string == "Metaspace" { return "default" }
            throw TokenizerError.undetectablePreTokenizer(file: file, found: "no pre-tokenizer on a byte-level vocabulary",
                                                          closest: "default")
        }
        var steps: [JSONValue] = [pre!]
        if pre?["type"]?.string == "Sequence" { steps = pre?["pretokenizers"]?.array ?? [] }
        let types = steps.map { $0["type"]?.string ?? "?" }

        // ByteLevel alone with its built-in GPT-2 regex.
        if types == ["ByteLevel"] {
            let s = steps[0]
            let regex = s["use_regex"]?.bool ?? true
            let prefix = s["add_prefix_space"]?.bool ?? true
            if regex && !prefix { return "gpt-2" }
            throw TokenizerError.undetectablePreTokenizer(
                file: file, found: "ByteLevel(add_prefix_space: \(prefix), use_regex: \(regex))", closest: "gpt-2")
        }
        // Split(regex, Isolated) followed by ByteLevel without its own regex or prefix.
        if types == ["Split", "ByteLevel"] {
            let split = steps[0], bl = steps[1]
            let rx = split["pattern"]?["Regex"]?.string ?? split["pattern"]?["String"]?.string ?? ""
            let behavior = split["behavior"]?.string ?? ""
            let invert = split["invert"]?.bool ?? false
            let blRegex = bl["use_regex"]?.bool ?? true
            let blPrefix = bl["add_prefix_space"]?.bool ?? true
            let closest = closestName(rx)
            if behavior == "Isolated" && !invert && !blRegex && !blPrefix, let k = known.first(where: { $0.regex == rx }) {
                return k.name
            }
            throw TokenizerError.undetectablePreTokenizer(
                file: file,
                found: "Split(\(rx), \(behavior), invert: \(invert)) + ByteLevel(add_prefix_space: \(blPrefix), use_regex: \(blRegex))",
                closest: closest)
        }
        throw TokenizerError.undetectablePreTokenizer(file: file, found: "pre-tokenizer [\(types.joined(separator: ", "))]",
                                                      closest: "gpt-2")
    }

    /// The known name whose regex is nearest by edit distance.
    static func closestName(_ rx: String) -> String {
        var best = known[0].name, bestD = Int.max
        for k in known {
            let d = editDistance(Array(rx.unicodeScalars), Array(k.regex.unicodeScalars))
            if d < bestD { bestD = d; best = k.name }
        }
        return best
    }

    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
