import Foundation
import IngotCore
import IngotFormats
import IngotInference
import IngotModel

/// A model opened for inference: the forward pass and, when the files carry one, its tokenizer.
public struct LoadedModel {
    public let transformer: Transformer
    public let tokenizer: Tokenizer?
    /// The path as given.
    public let path: String
    /// Bytes of weights on disk (for reports).
    public let weightBytes: Int

    /// The tokenizer, or an error saying where one was looked for.
    public func requireTokenizer() throws -> Tokenizer {
        guard let tokenizer else {
            throw IngotFailure("\(path): no tokenizer found (tokenizer.json beside the checkpoint, or tokenizer.ggml.* keys in the GGUF)")
        }
        return tokenizer
    }

    /// BOS written over each perplexity chunk's first token (nil when the tokenizer adds none).
    public var chunkBOS: Int32? {
        guard let t = tokenizer else { return transformer.spec.bosTokenID.map { Int32($0) } }
        return t.addBOS ? t.bos.map { Int32($0) } : nil
    }
}

/// Opens a model for inference through `ModelOpener`: a GGUF file or the first file of a gguf-split set, or a
/// Hugging Face checkpoint (directory, .safetensors file or index) with its config.json.
public enum ModelLoader {
    public static func open(_ path: String, threads: Int = Parallel.coreCount, tokenizer wantTokenizer: Bool = true) throws -> LoadedModel {
        let r = try ModelOpener.open(path)
        let weightBytes = r.tensors.reduce(0) { $0 + $1.byteCount }
        if r.formatName == "gguf" {
            let m = try Transformer(ggufSource: r, threads: threads)
            let tok = wantTokenizer && r.metadata["tokenizer.ggml.tokens"] != nil ? try Tokenizer.load(gguf: r.metadata, file: path) : nil
            return LoadedModel(transformer: m, tokenizer: tok, path: path, weightBytes: weightBytes)
        }
        guard let configPath = ModelOpener.companion("config.json", of: path),
              let config = FileManager.default.contents(atPath: configPath) else {
            throw FileError(path: ModelOpener.directory(of: path) + "/config.json", operation: "read",
                            message: "no config.json beside the checkpoint")
        }
        let m = try Transformer(huggingFaceConfig: config, source: r, threads: threads)
        var tok: Tokenizer? = nil
        if wantTokenizer && ModelOpener.companion("tokenizer.json", of: path) != nil {
            tok = try Tokenizer.load(huggingFace: ModelOpener.directory(of: path))
        }
        return LoadedModel(transformer: m, tokenizer: tok, path: path, weightBytes: weightBytes)
    }
}
