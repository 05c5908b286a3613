import Foundation
import IngotCore
import IngotFormats

extension Tokenizer {
    /// Loads a tokenizer from a path: a GGUF file (model, first file of a split set, or vocabulary only;
    /// recognised by its bytes and opened through `ModelOpener`), a Hugging Face model directory, or a
    /// tokenizer.json file.
    public static func load(path: String) throws -> Tokenizer {
        let head = try FileHead(path: path)
        if GGUFReader.recognises(head) {
            let source = try ModelOpener.open(path)
            return try load(gguf: source.metadata, file: (path as NSString).lastPathComponent)
        }
        return try load(huggingFace: path)
    }
}
