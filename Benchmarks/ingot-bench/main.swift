// ingot-bench: timing of Ingot's library paths, printed for Benchmarks/README.md. Not a test.
//
//   ingot-bench inspect PATH [--runs N]   Inspector.inspect over N runs (headers only)
//   ingot-bench json PATH [--runs N]      JSON.parseFile over N runs
//
// Prints min and median wall milliseconds and the process's peak RSS (VmHWM from /proc/self/status).
import Foundation
import IngotCore
import IngotFormats
import IngotPipeline

/// Peak resident set size in KiB, from /proc/self/status (nil off Linux).
func peakRSSKiB() -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }
    return nil
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}

/// Times `body` `runs` times and prints one line.
func measure(_ label: String, runs: Int, _ body: () throws -> String) rethrows {
    var times: [Double] = []
    var summary = ""
    for _ in 0..<runs {
        let t0 = now()
        summary = try body()
        times.append(now() - t0)
    }
    times.sort()
    let rss = peakRSSKiB().map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "n/a"
    print(String(format: "%@: min %.2f ms, median %.2f ms over %d runs; peak RSS %@; %@",
                 label, times[0], times[times.count / 2], runs, rss, summary))
}

func usage() -> Never {
    FileHandle.standardError.write(Data("usage: ingot-bench inspect PATH [--runs N] | ingot-bench json PATH [--runs N]\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
guard args.count >= 2 else { usage() }
let command = args.removeFirst()
let path = args.removeFirst()
var runs = 10
while !args.isEmpty {
    let a = args.removeFirst()
    if a == "--runs", let n = args.first.flatMap(Int.init), n > 0 { runs = n; args.removeFirst() } else { usage() }
}

do {
    switch command {
    case "inspect":
        try measure("inspect \(path)", runs: runs) {
            let r = try Inspector.inspect(path: path)
            return "\(r.tensors.count) tensors, \(r.parameters) parameters, \(r.bytes) bytes in \(r.files.count) file(s)"
        }
    case "json":
        try measure("json \(path)", runs: runs) {
            let v = try JSON.parseFile(path)
            let vocab = v["model"]?["vocab"]?.object?.count ?? 0
            return "\(vocab) vocabulary entries"
        }
    default:
        usage()
    }
} catch {
    FileHandle.standardError.write(Data("ingot-bench: \(error)\n".utf8))
    exit(2)
}
