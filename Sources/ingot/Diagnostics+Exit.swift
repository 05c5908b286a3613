import ArgumentParser
import Foundation
import IngotCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command body, turning Ingot diagnostics into a one-paragraph message on stderr and their exit status.
/// Usage errors stay with ArgumentParser; `Ingot.main` maps them to exit 2.
///
/// `files` are the paths the command reads and writes, the input first: a message that names none of them (an
/// architecture-mapping or quantizer error knows only the tensor) is prefixed with the input, so every failure
/// says which file it is about.
func runReporting(files: [String] = [], _ body: () throws -> Void) throws {
    func attributed(_ text: String) -> String {
        guard let input = files.first else { return text }
        let names = files.map { ($0 as NSString).lastPathComponent }.filter { !$0.isEmpty }
        return names.contains(where: { text.contains($0) }) ? text : "\(input): \(text)"
    }
    do {
        try body()
    } catch let e as IngotDiagnostic {
        var msg = "ingot: error: \(attributed(e.description))\n"
        if let h = e.hint { msg += "hint: \(h)\n" }
        Console.error(msg)
        throw ExitCode(e.exitCode)
    } catch let e as ExitCode {
        throw e
    } catch {
        Console.error("ingot: error: \(attributed(String(describing: error)))\n")
        throw ExitCode(2)
    }
}
