import Foundation
import IngotCore
import IngotPipeline

/// `ingot-bench convert SRC -o OUT [--type T] [--threads N]`: one conversion in-process (ConvertJob, exactly what
/// `ingot convert` runs), then one line with wall seconds, source MB/s, the output, the process's peak RSS
/// (VmHWM) and the memory bound the pipeline promises: 2 × the largest tensor + 200 MB.
/// scripts/bench_convert.sh runs it on a ~4 GB sharded BF16 checkpoint beside `cat` and llama.cpp's quantizer.
enum ConvertBench {
    static let usage = "usage: ingot-bench convert SRC -o OUT [--type T] [--threads N]"

    static func run(_ arguments: [String]) {
        var args = arguments
        guard let src = args.first, !src.hasPrefix("-") else { print(usage); exit(2) }
        args.removeFirst()
        var out: String?, type: String?, threads = Parallel.coreCount
        while !args.isEmpty {
            let a = args.removeFirst()
            guard let v = args.first else { print(usage); exit(2) }
            args.removeFirst()
            switch a {
            case "-o": out = v
            case "--type": type = v
            case "--threads": threads = Int(v) ?? threads
            default: print(usage); exit(2)
            }
        }
        guard let out else { print(usage); exit(2) }
        do {
            let t0 = InspectBench.now()
            let (plan, result) = try ConvertJob.run(ConvertOptions(input: src, output: out, type: type, threads: threads))
            let ms = InspectBench.now() - t0
            let rss = Double(InspectBench.peakRSSKiB() ?? 0) / 1024
            // The largest tensor as read or as written, whichever is bigger.
            let largest = Double(plan.tensors.map { max($0.byteCount, $0.sourceByteCount) }.max() ?? 0) / 1_048_576
            let bound = 2 * largest + 200
            print(String(format: "convert %@ → %@ (%@): %.2f s, %.0f MB/s of source (%.0f MB), output %.0f MB at %.2f bpw; "
                         + "peak RSS %.0f MiB, bound 2×%.0f+200 = %.0f MiB: %@",
                         src, out, plan.fileTypeName, ms / 1000, Double(plan.sourceBytes) / 1e3 / ms,
                         Double(plan.sourceBytes) / 1e6, Double(result?.bytes ?? 0) / 1e6, plan.bitsPerWeight,
                         rss, largest, bound, rss <= bound ? "within" : "EXCEEDED"))
        } catch {
            print("ingot-bench convert: \(error)")
            exit(1)
        }
    }
}
