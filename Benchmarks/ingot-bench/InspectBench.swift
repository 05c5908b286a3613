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

    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
    }

    /// Times `body` `runs` times and prints one line: wall-clock and CPU (this thread) milliseconds; CPU time is
    /// the stable figure on a shared, loaded machine.
    static func measure(_ label: String, runs: Int, _ body: () throws -> String) rethrows {
        var wall: [Double] = [], cpu: [Double] = []
        var summary = ""
        for _ in 0..<runs {
            let t0 = now(), c0 = now(CLOCK_THREAD_CPUTIME_ID)
            summary = try body()
            wall.append(now() - t0)
            cpu.append(now(CLOCK_THREAD_CPUTIME_ID) - c0)
        }
        wall.sort()
        cpu.sort()
        let rss = peakRSSKiB().map { String(format: "%.1f MiB", Double($0) / 1024) } ?? "n/a"
        print(String(format: "%@: wall min %.2f / median %.2f ms, CPU min %.2f / median %.2f ms over %d runs; peak RSS %@; %@",
                     label, wall[0], wall[wall.count / 2], cpu[0], cpu[cpu.count / 2], runs, rss, summary))
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
