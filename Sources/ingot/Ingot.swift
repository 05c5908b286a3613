import ArgumentParser
import Foundation
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

    /// Parses and runs like ArgumentParser's own `main`, but with the exit statuses the README promises:
    /// a usage or validation error exits 2 (ArgumentParser's default is 64, `EX_USAGE`); `--help` and
    /// `--version` exit 0; a command's own `ExitCode` passes through.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                let message = fullMessage(for: error)
                if !message.isEmpty { Console.error(message + "\n") }
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

/// The process exit statuses (README): 0 success, 1 a job or check failed, 2 bad usage or bad input.
enum ExitStatus {
    static let failure: Int32 = 1
    static let usage: Int32 = 2
}
