import IngotCore
import IngotFormats
import IngotInference

/// What the commands in `Sources/ingot` need from the lower targets, named here so the CLI imports IngotPipeline
/// alone (the CLI parses and prints; it never reaches past the jobs).
public enum CommandSupport {
    /// The version `ingot --version` prints.
    public static var version: String { IngotVersion.string }
    /// The default worker count: every core.
    public static var coreCount: Int { Parallel.coreCount }
    /// Every input format and what it reads, for `--help`: `FormatRegistry`'s rows, so a new format shows up there.
    public static var inputFormats: String { FormatRegistry.supported }
    /// The output formats `convert --to` takes (`OutputFormat`'s cases), as `gguf or safetensors`.
    public static var outputFormats: String { orList(OutputFormat.allCases.map(\.rawValue)) }
    /// The output files' extensions, as `.gguf or .safetensors` (what `OutputFormat(path:)` recognises).
    public static var outputExtensions: String { orList(OutputFormat.allCases.map { "." + $0.rawValue }) }

    /// `a, b or c`.
    static func orList(_ names: [String]) -> String {
        names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
    }
}

/// A failure a job reports with its message, optional hint and exit status (1 a failed check, 2 bad input).
public typealias JobDiagnostic = IngotDiagnostic

extension GenerateOptions {
    /// The sampling chain's settings (temperature, top-k, top-p, min-p, repeat penalty).
    public typealias Sampling = SamplingOptions
}
