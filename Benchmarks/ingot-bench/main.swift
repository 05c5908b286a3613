import IngotPipeline

// Subcommands live in their own files; this file only dispatches on the first argument.
let benchArgs = Array(CommandLine.arguments.dropFirst())
switch benchArgs.first {
case "quant":
    QuantBench.run(Array(benchArgs.dropFirst()))
case "inspect", "json":
    InspectBench.run(benchArgs[0], Array(benchArgs.dropFirst()))
case "convert":
    ConvertBench.run(Array(benchArgs.dropFirst()))
case "weights":
    WeightQuantBench.run(Array(benchArgs.dropFirst()))
case "tokenizer":
    TokenizerBench.run(Array(benchArgs.dropFirst()))
default:
    print("usage: ingot-bench quant [options]   (see ingot-bench quant --help)")
    print("       ingot-bench inspect PATH [--runs N]")
    print("       ingot-bench json PATH [--runs N]")
    print("       ingot-bench convert SRC -o OUT [--type T] [--threads N]")
    print("       ingot-bench weights [options]   (NF4/FP4, INT8, error metrics)")
    print("       ingot-bench tokenizer --file TEXT [--repeat N] [--json] MODEL...")
}
