import ArgumentParser
import IngotCore
import IngotPipeline

/// `ingot tokenize MODEL (TEXT | --file F) [--no-bos] [--json]`: token ids, for checking tokenizers.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of a text.",
        discussion: """
        MODEL is a GGUF file (a model, the first file of a split set, or a vocabulary-only file), a Hugging Face model directory with \
        tokenizer.json, or a tokenizer.json file. Special tokens written in the text (e.g. <|eot_id|>) match \
        as tokens.
        """
    )

    @Argument(help: "GGUF file, model directory or tokenizer.json.")
    var model: String

    @Argument(help: "The text to tokenize (or use --file).")
    var text: String?

    @Option(name: .long, help: "Read the text from this UTF-8 file.")
    var file: String?

    @Flag(name: .customLong("no-bos"), help: "Add no special tokens (no BOS/EOS), as llama.cpp's tokenizer tests count them.")
    var noBOS = false

    @OptionGroup var report: OutputOptions

    func validate() throws {
        if (text == nil) == (file == nil) { throw ValidationError("tokenize: give either TEXT or --file FILE") }
    }

    func run() throws {
        try runReporting {
            let input = try file.map(TokenizeJob.readText) ?? text!
            let ids = try TokenizeJob.tokenize(model: model, text: input, addSpecial: !noBOS)
            let list = ids.map(String.init)
            print(report.json ? "{\"ids\": [" + list.joined(separator: ", ") + "]}" : list.joined(separator: " "))
        }
    }
}
