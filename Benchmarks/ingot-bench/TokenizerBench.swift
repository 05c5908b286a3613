import Foundation
import IngotModel

/// `ingot-bench tokenizer --file TEXT [--repeat N] [--json] MODEL…`: single-thread encode throughput of each
/// tokenizer (tokenizer.json, model directory or GGUF) on one text, best of N runs.
enum TokenizerBench {
    static func run(_ args: [String]) {
        var file: String? = nil
        var repeats = 3
        var json = false
        var models: [String] = []
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--file": i += 1; file = i < args.count ? args[i] : nil
            case "--repeat": i += 1; repeats = i < args.count ? max(1, Int(args[i]) ?? 3) : 3
            case "--json": json = true
            case "--help", "-h":
                print("usage: ingot-bench tokenizer --file TEXT [--repeat N] [--json] MODEL...")
                return
            default: models.append(args[i])
            }
            i += 1
        }
        guard let file, let data = FileManager.default.contents(atPath: file), !models.isEmpty else {
            print("usage: ingot-bench tokenizer --file TEXT [--repeat N] [--json] MODEL...")
            exit(2)
        }
        let bytes = [UInt8](data)
        var rows: [String] = []
        for m in models {
            do {
                let t0 = Date()
                let tok = try Tokenizer.load(path: m)
                let load = Date().timeIntervalSince(t0)
                var best = Double.infinity
                var count = 0
                for _ in 0..<repeats {
                    let s = Date()
                    let ids = tok.encode32(bytes)
                    best = min(best, Date().timeIntervalSince(s))
                    count = ids.count
                }
                let mbps = Double(bytes.count) / best / 1e6
                if json {
                    rows.append("{\"model\": \"\(m)\", \"tokens\": \(count), \"seconds\": \(best), \"mb_per_s\": \(mbps), \"load_seconds\": \(load)}")
                } else {
                    print(String(format: "%-60@ %8d tokens  %.3f s  %6.2f MB/s  %8.0f tok/s  (load %.3f s)",
                                 m as NSString, count, best, mbps, Double(count) / best, load))
                }
            } catch {
                print("\(m): \(error)")
                exit(2)
            }
        }
        if json { print("[" + rows.joined(separator: ",\n") + "]") }
    }
}
