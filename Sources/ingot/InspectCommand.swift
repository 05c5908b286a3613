import ArgumentParser
import IngotPipeline

/// `ingot inspect PATH`: format, metadata, architecture and totals of a model, from its headers alone.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's format, metadata, architecture, tensors and totals (headers only).",
        discussion: """
        PATH is a GGUF file (the first file of a split set shows the whole set), a .safetensors file, a \
        model.safetensors.index.json, or a Hugging Face checkpoint directory; the format is detected from the \
        file's bytes, not its name.
        """
    )

    @Argument(help: "Model file or checkpoint directory.")
    var path: String

    @OptionGroup var output: OutputOptions

    @Flag(name: .long, help: "Add the tensor table (name, type, shape, bytes, offset).")
    var tensors = false

    @Option(name: .long, help: "Only tensors whose name matches this regular expression (implies --tensors; totals cover the match).")
    var filter: String?

    func run() throws {
        try runReporting {
            var report = try Inspector.inspect(path: path)
            if let filter { report = try report.filtered(by: filter) }
            if output.json {
                print(report.json().serialized(pretty: true))
            } else {
                print(report.text(showTensors: tensors || filter != nil), terminator: "")
            }
        }
    }
}
