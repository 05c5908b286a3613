import ArgumentParser
import IngotCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs a command body, turning Ingot diagnostics into a one-paragraph message on stderr and their exit status.
/// Usage errors stay with ArgumentParser (exit 64 → we map to 2 via `ValidationError`).
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as IngotDiagnostic {
        var msg = "ingot: error: \(e.description)\n"
        if let h = e.hint { msg += "hint: \(h)\n" }
        fputs(msg, stderr)
        throw ExitCode(e.exitCode)
    } catch let e as ExitCode {
        throw e
    } catch {
        fputs("ingot: error: \(error)\n", stderr)
        throw ExitCode(2)
    }
}
