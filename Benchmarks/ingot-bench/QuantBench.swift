import Foundation
import IngotCore
import IngotQuant
import IngotFormats

/// `ingot-bench quant`: quantization and dequantization throughput per type, in MB/s of F16 input
/// (the size of the tensor as an F16 file holds it), on 1 thread and on all threads.
///
/// Input: synthetic N(0, 0.02) rows (what shared/tools/make_synthetic.py writes), converted from F16 inside the
/// timed region, exactly the work `ingot convert` does per tensor. The ggml side is scripts/bench_quant.py.
enum QuantBench {
    static let usage = """
        usage: ingot-bench quant [--types Q4_K,Q6_K,Q8_0] [--threads 1,2] [--mb 256] [--width 2048] [--repeat 3]
                                 [--reference] [--imatrix] [--cpu] [--gguf F16.gguf] [--tsv]
          --gguf F      quantize every 2-D F16 `*.weight` tensor of an F16 GGUF (the file scripts/bench_quant.py
                        also gives llama_model_quantize) instead of synthetic rows
          --tsv         machine-readable lines: type, threads, quantize and dequantize MB/s (wall), the same per CPU-second
          --reference   also time the scalar reference encoders/decoders (the bit-exact baseline)
          --imatrix     quantize with a random importance vector (ggml's *_impl paths)
          --cpu         report MB per CPU-second instead of wall-clock MB/s (stable on a loaded machine)
        """

    static func run(_ args: [String]) {
        var types: [ElementType] = [.q4_K, .q6_K, .q8_0]
        var threads = [1, Parallel.coreCount]
        var mb = 256, width = 2048, repeats = 3
        var reference = false, imatrix = false, tsv = false
        var ggufPath: String?
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { print(usage); exit(2) }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--types":
                let v = value()
                if v == "all" {
                    types = Codecs.encoders.map { $0.type }
                } else {
                    types = v.split(separator: ",").map {
                        guard let t = ElementType(displayName: String($0)) else { print("unknown type \($0)"); exit(2) }
                        return t
                    }
                }
            case "--threads": threads = value().split(separator: ",").compactMap { Int($0) }
            case "--mb": mb = Int(value()) ?? mb
            case "--width": width = Int(value()) ?? width
            case "--repeat": repeats = Int(value()) ?? repeats
            case "--reference": reference = true
            case "--imatrix": imatrix = true
            case "--cpu": useCPUTime = true
            case "--gguf": ggufPath = value()
            case "--tsv": tsv = true
            default: print(usage); exit(2)
            }
            i += 1
        }
        if let ggufPath {
            runGGUF(ggufPath, types: types, threads: threads, repeats: repeats, tsv: tsv)
            return
        }
        let rows = max(1, mb * 1_000_000 / (2 * width))
        let n = rows * width
        // Deterministic N(0, 0.02) in F16 (Box–Muller on a fixed LCG).
        var f16 = [UInt16](repeating: 0, count: n)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / 9007199254740992.0
        }
        for k in stride(from: 0, to: n, by: 2) {
            let r = (-2 * log(uniform())).squareRoot(), t = 2 * Double.pi * uniform()
            f16[k] = HalfPrecision.f16Bits(Float(r * cos(t) * 0.02))
            if k + 1 < n { f16[k + 1] = HalfPrecision.f16Bits(Float(r * sin(t) * 0.02)) }
        }
        let imp: [Float] = (0..<width).map { 0.1 + Float(($0 * 7919) % 97) / 20 }
        let inMB = Double(n * 2) / 1e6
        print("ingot-bench quant: \(rows) rows × \(width) (\(String(format: "%.0f", inMB)) MB of F16), best of \(repeats)"
              + (imatrix ? ", with importance" : "") + (useCPUTime ? ", MB per CPU-second" : ", wall clock"))
        print("type    threads  quantize MB/s  dequantize MB/s" + (reference ? "  ref-quantize MB/s  ref-dequantize MB/s" : ""))
        for type in types {
            guard let rb = try? Quantizer.rowBytes(type, rowLength: width) else {
                print("\(type.displayName): width \(width) is not a multiple of its block"); continue
            }
            var q = [UInt8](repeating: 0, count: rb * rows)
            var out = [Float](repeating: 0, count: n)
            for t in threads {
                let qt = best(repeats) {
                    f16.withUnsafeBytes { src in
                        q.withUnsafeMutableBytes { dst in
                            imp.withUnsafeBufferPointer { w in
                                try! Quantizer.quantize(type, from: .f16, src, rowLength: width,
                                                        importance: imatrix ? w : nil, into: dst, threads: t)
                            }
                        }
                    }
                }
                let dt = best(repeats) {
                    q.withUnsafeBytes { src in
                        out.withUnsafeMutableBufferPointer { try! Quantizer.dequantize(type, src, rowLength: width, into: $0, threads: t) }
                    }
                }
                var line = String(format: "%-7@ %7d  %13.1f  %15.1f", type.displayName, t, inMB / qt, inMB / dt)
                if reference {
                    let (rq, rd) = referenceTimes(type, f16: f16, rows: rows, width: width, threads: t, repeats: repeats,
                                                  importance: imatrix ? imp : nil)
                    line += String(format: "  %17.1f  %19.1f", inMB / rq, inMB / rd)
                }
                print(line)
            }
        }
    }

    /// Quantizes and dequantizes every 2-D F16 weight of a GGUF, per type and thread count; figures are MB of F16
    /// input per second. Nothing is written: the GGUF writer is not part of the measurement.
    static func runGGUF(_ path: String, types: [ElementType], threads: [Int], repeats: Int, tsv: Bool) {
        // Opened like every command opens a model, so a gguf-split set (or any registered format) works too.
        let reader: any TensorSource
        do { reader = try ModelOpener.open(path) } catch { print("\(error)"); exit(2) }
        let weights = reader.tensors.filter { $0.type == .f16 && $0.shape.count == 2 && $0.name.hasSuffix("weight") }
        let totalBytes = weights.reduce(0) { $0 + $1.byteCount }
        let inMB = Double(totalBytes) / 1e6
        if !tsv {
            print("ingot-bench quant: \(weights.count) F16 weight tensors of \(path) (\(String(format: "%.0f", inMB)) MB), best of \(repeats)"
                  + (useCPUTime ? ", MB per CPU-second" : ", wall clock"))
            print("type    threads  quantize MB/s  dequantize MB/s")
        }
        // Touch the mapping once so page faults are not charged to the first type.
        var sink: UInt8 = 0
        for w in weights { try? reader.withBytes(of: w.name) { b in for k in stride(from: 0, to: b.count, by: 4096) { sink &+= b[k] } } }
        _ = sink
        for type in types {
            guard let outputs0 = try? weights.map({ [UInt8](repeating: 0, count: try Quantizer.rowBytes(type, rowLength: $0.rowLength) * $0.rowCount) }) else {
                print("\(type.displayName): a tensor's rows are not a multiple of its block; skipped"); continue
            }
            var outputs = outputs0
            for t in threads {
                let (qt, qc) = bestBoth(repeats) {
                    for (k, w) in weights.enumerated() where k < outputs.count {
                        try! reader.withBytes(of: w.name) { src in
                            try outputs[k].withUnsafeMutableBytes { try Quantizer.quantize(type, from: .f16, src, rowLength: w.rowLength, importance: nil, into: $0, threads: t) }
                        }
                    }
                }
                var out = [Float](repeating: 0, count: weights.map { $0.rowLength * $0.rowCount }.max() ?? 0)
                let (dt, dc) = bestBoth(repeats) {
                    for (k, w) in weights.enumerated() where k < outputs.count {
                        outputs[k].withUnsafeBytes { q in
                            out.withUnsafeMutableBufferPointer {
                                try! Quantizer.dequantize(type, q, rowLength: w.rowLength,
                                                          into: UnsafeMutableBufferPointer(rebasing: $0[0..<(w.rowLength * w.rowCount)]), threads: t)
                            }
                        }
                    }
                }
                if tsv {
                    print([type.displayName, "\(t)"].joined(separator: "\t") + "\t"
                          + [inMB / qt, inMB / dt, inMB / qc, inMB / dc].map { String(format: "%.2f", $0) }.joined(separator: "\t"))
                } else {
                    print(String(format: "%-7@ %7d  %13.1f  %15.1f", type.displayName, t,
                                 inMB / (useCPUTime ? qc : qt), inMB / (useCPUTime ? dc : dt)))
                }
            }
        }
    }

    /// Whether to time in process CPU seconds instead of wall seconds (`--cpu`): on a loaded machine the CPU time
    /// of a 1-thread run is the stable figure; wall time is what a user waits.
    nonisolated(unsafe) static var useCPUTime = false

    /// Process CPU seconds (user + system) so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    /// Seconds (wall, or CPU with `--cpu`) of the fastest of `repeats` runs.
    static func best(_ repeats: Int, _ body: () -> Void) -> Double {
        let (wall, cpu) = bestBoth(repeats, body)
        return useCPUTime ? cpu : wall
    }

    /// (wall seconds, CPU seconds) of the run with the shortest wall time.
    static func bestBoth(_ repeats: Int, _ body: () -> Void) -> (Double, Double) {
        var b = (Double.infinity, Double.infinity)
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuSeconds()
            body()
            let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            if wall < b.0 { b = (wall, cpuSeconds() - c0) }
        }
        return b
    }

    /// The scalar references, rows in parallel the same way (so the speed-up of the fast paths is visible).
    static func referenceTimes(_ type: ElementType, f16: [UInt16], rows: Int, width: Int, threads: Int, repeats: Int,
                               importance: [Float]?) -> (Double, Double) {
        guard let codec = try? Codecs.encoder(for: type), let rb = try? Quantizer.rowBytes(type, rowLength: width) else { return (.nan, .nan) }
        var x = [Float](repeating: 0, count: rows * width)
        f16.withUnsafeBytes { s in x.withUnsafeMutableBufferPointer { _ = ElementConversion.toFloat(.f16, s.baseAddress!, $0.baseAddress!, count: rows * width) } }
        var q = [UInt8](repeating: 0, count: rb * rows)
        var out = [Float](repeating: 0, count: rows * width)
        let nb = width / type.blockElements
        let qt = best(repeats) {
            x.withUnsafeBufferPointer { xs in
                q.withUnsafeMutableBytes { qs in
                    Parallel.forEachChunk(rows, threads: threads) { range in
                        (importance ?? []).withUnsafeBufferPointer { w in
                            for r in range {
                                codec.encodeReference(xs.baseAddress! + r * width, importance == nil ? nil : w.baseAddress,
                                                      blocks: nb, into: qs.baseAddress! + r * rb)
                            }
                        }
                    }
                }
            }
        }
        let dt = best(repeats) {
            q.withUnsafeBytes { qs in
                out.withUnsafeMutableBufferPointer { o in
                    Parallel.forEachChunk(rows, threads: threads) { range in
                        codec.decodeReference(qs.baseAddress! + range.lowerBound * rb, blocks: nb * range.count,
                                              into: o.baseAddress! + range.lowerBound * width)
                    }
                }
            }
        }
        return (qt, dt)
    }
}
