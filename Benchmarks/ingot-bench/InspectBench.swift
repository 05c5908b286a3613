import Foundation
import IngotCore
import IngotFormats
import IngotPipeline

/// `ingot-bench inspect PATH [--runs N]`: `Inspector.inspect` (headers only) over N runs;
/// `ingot-bench json PATH [--runs N]`: `JSON.parseFile` over N runs.
/// Prints min and median wall milliseconds and the process's peak RSS (VmHWM from /proc/self/status).
/// scripts/bench_inspect.sh runs both on a ~4 GB checkpoint and a 200k-entry tokenizer.json.
enum InspectBench {
    static let usage = "usage: ingot-bench inspect PATH [--runs N] | ingot-bench json PATH [--runs N]"

    /// Peak resident set size in KiB, from /proc/self/status (nil off Linux).
    static func peakRSSKiB() -> Int? {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Times `body` `runs` times and prints one line.
    static func measure(_ label: String, runs: Int, _ body: () throws -> String) rethrows {
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

    static func run(_ command: String, _ arguments: [String]) {
        var args = arguments
        guard !args.isEmpty else { print(usage); exit(2) }
        let path = args.removeFirst()
        var runs = 10
        while !args.isEmpty {
            let a = args.removeFirst()
            if a == "--runs", let n = args.first.flatMap(Int.init), n > 0 { runs = n; args.removeFirst() } else { print(usage); exit(2) }
        }
        do {
            if command == "inspect" {
                try measure("inspect \(path)", runs: runs) {
                    let r = try Inspector.inspect(path: path)
                    return "\(r.tensors.count) tensors, \(r.parameters) parameters, \(r.bytes) bytes in \(r.files.count) file(s)"
                }
            } else {
                try measure("json \(path)", runs: runs) {
                    let v = try JSON.parseFile(path)
                    let vocab = v["model"]?["vocab"]?.object?.count ?? 0
                    return "\(vocab) vocabulary entries"
                }
            }
        } catch {
            FileHandle.standardError.write(Data("ingot-bench: \(error)\n".utf8))
            exit(2)
        }
    }
}
