import Foundation
import IngotCore
import IngotModel

/// `ingot tokenize`: load a tokenizer from a model path and turn text into ids.
public enum TokenizeJob {
    /// Ids for `text` with the tokenizer found at `model` (GGUF, HF directory or tokenizer.json).
    /// `addSpecial: false` adds no BOS/EOS, as llama.cpp's tokenizer tests count tokens.
    public static func tokenize(model: String, text: String, addSpecial: Bool) throws -> [Int] {
        let tok = try Tokenizer.load(path: model)
        return tok.encode32(Array(text.utf8), addSpecial: addSpecial).map(Int.init)
    }

    /// Reads a UTF-8 text file for tokenizing; invalid UTF-8 is an input error naming the byte offset.
    public static func readText(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(path: path, operation: "read", message: "cannot read the file")
        }
        let bytes = [UInt8](data)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            var off = 0
            var it = bytes.makeIterator()
            var dec = UTF8()
            var consumed = 0
            decode: while true {
                switch dec.decode(&it) {
                case .scalarValue(let u): consumed += UTF8.width(u); off = consumed
                case .emptyInput: break decode
                case .error: break decode
                }
            }
            throw IngotFailure("\(path): not valid UTF-8 at byte offset \(off)")
        }
        return s
    }
}
