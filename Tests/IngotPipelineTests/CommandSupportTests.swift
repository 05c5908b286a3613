import IngotFormats
@testable import IngotPipeline
import Testing

/// What the CLI's help text is built from: the format registry and the output formats, never a hand-kept list.
@Suite struct CommandSupportTests {
    @Test func formatListsComeFromTheTables() {
        #expect(CommandSupport.inputFormats == FormatRegistry.supported)
        for f in FormatRegistry.formats { #expect(CommandSupport.inputFormats.contains(f.name + " (" + f.reads + ")")) }
        #expect(CommandSupport.outputFormats == "gguf or safetensors")
        #expect(CommandSupport.outputExtensions == ".gguf or .safetensors")
        for f in OutputFormat.allCases { #expect(OutputFormat(path: "x." + f.rawValue.uppercased()) == f) }
        #expect(OutputFormat(path: "x.bin") == nil)
        #expect(CommandSupport.orList(["a"]) == "a" && CommandSupport.orList(["a", "b", "c"]) == "a, b or c")
        #expect(CommandSupport.coreCount >= 1 && !CommandSupport.version.isEmpty)
    }
}
