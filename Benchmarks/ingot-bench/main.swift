import IngotPipeline

// Subcommands live in their own files; this file only dispatches on the first argument.
let benchArgs = Array(CommandLine.arguments.dropFirst())
switch benchArgs.first {
case "quant":
    QuantBench.run(Array(benchArgs.dropFirst()))
case "tokenizer":
    TokenizerBench.run(Array(benchArgs.dropFirst()))
default:
    print("usage: ingot-bench quant [options] | tokenizer --file TEXT MODEL...   (see --help)")
}
