import ArgumentParser
import IngotCore

/// The `ingot` command: a thin shell over IngotPipeline. Each subcommand lives in its own file.
@main
struct Ingot: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingot",
        abstract: "A workbench for large-language-model weights: inspect, convert, quantize, verify.",
        version: IngotVersion.string,
        subcommands: [
            // One line per subcommand; keep alphabetical.
            ConvertCommand.self,
            GenerateCommand.self,
            InspectCommand.self,
            PplCommand.self,
            TokenizeCommand.self,
        ]
    )
}
