import IngotFormats
import IngotModel

/// `tokenizer.ggml.pre` for a tokenizer.json. Transitional: recognises the GPT-2 byte-level pre-tokenizer only,
/// until the tokenizer module's `PreTokenizerDetector` (which reads every known split regex) is on main.
enum PreTokenizerName {
    static func detect(_ json: JSONValue, file: String) throws -> String {
        let pre = json["pre_tokenizer"]
        if pre == nil || pre!.isNull || pre?["type"]?.string == "Metaspace" {
            if json["model"]?["byte_fallback"]?.bool == true || pre?["type"]?.string == "Metaspace" { return "default" }
        }
        if pre?["type"]?.string == "ByteLevel", pre?["use_regex"]?.bool ?? true, !(pre?["add_prefix_space"]?.bool ?? true) {
            return "gpt-2"
        }
        throw VocabError(path: file, message: "pre-tokenizer \(pre?.serialized() ?? "null") is not one Ingot can name yet (closest: gpt-2)")
    }
}
