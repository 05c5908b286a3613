import ArgumentParser
import IngotCore

/// `--threads N`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    /// The count to use: the option, else every core.
    var count: Int { threads ?? Parallel.coreCount }

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads must be at least 1") }
    }
}

/// `--json`, shared by every command that reports.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false
}

extension ValidationError {
    /// A job's own option check, reported as a usage error (exit 2, with the usage line).
    static func checking(_ body: () throws -> Void) throws {
        do { try body() } catch let e as IngotDiagnostic { throw ValidationError(e.description) }
    }
}
