import Foundation
import IngotCore
import IngotQuant

/// `ingot-bench weights`: NF4/FP4 (bitsandbytes layouts), INT8 (compressed-tensors layouts) and error-metric
/// throughput, in MB/s of F16 input (the F16 → F32 conversion is inside the timed region, as in `ingot-bench quant`),
/// on 1 thread and on all threads. Reuses `QuantBench`'s timer (`--cpu` for MB per CPU-second).
enum WeightQuantBench {
    static let usage = """
        usage: ingot-bench weights [--threads 1,2] [--mb 64] [--width 4096] [--repeat 3] [--cpu]
        """

    static func run(_ args: [String]) {
        var threads = [1, Parallel.coreCount]
        var mb = 64, width = 4096, repeats = 3
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { print(usage); exit(2) }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--threads": threads = value().split(separator: ",").compactMap { Int($0) }
            case "--mb": mb = Int(value()) ?? mb
            case "--width": width = Int(value()) ?? width
            case "--repeat": repeats = Int(value()) ?? repeats
            case "--cpu": QuantBench.useCPUTime = true
            default: print(usage); exit(2)
            }
            i += 1
        }
        let rows = max(1, mb * 1_000_000 / (2 * width))
        let n = rows * width
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
        var x = [Float](repeating: 0, count: n)
        func convert() {
            f16.withUnsafeBytes { s in x.withUnsafeMutableBufferPointer { _ = ElementConversion.toFloat(.f16, s.baseAddress!, $0.baseAddress!, count: n) } }
        }
        convert()
        let inMB = Double(n * 2) / 1e6
        print("ingot-bench weights: \(rows) rows × \(width) (\(String(format: "%.0f", inMB)) MB of F16), best of \(repeats)"
              + (QuantBench.useCPUTime ? ", MB per CPU-second" : ", wall clock"))
        print("layout            threads  quantize MB/s  dequantize MB/s")
        let nf4Cases: [(String, NF4Options)] = [
            ("NF4 b64", NF4Options(type: .nf4)), ("NF4 b64 +dq", NF4Options(type: .nf4, doubleQuant: true)),
            ("FP4 b64", NF4Options(type: .fp4)),
        ]
        for (label, base) in nf4Cases {
            for t in threads {
                var opts = base
                opts.threads = t
                var tensor: NF4Tensor?
                let qt = QuantBench.best(repeats) { convert(); tensor = try! NF4Quantizer.quantize(x, shape: [rows, width], options: opts) }
                var out = [Float](repeating: 0, count: n)
                let dt = QuantBench.best(repeats) { out.withUnsafeMutableBufferPointer { try! NF4Quantizer.dequantize(tensor!, into: $0, threads: t) } }
                print(label.padding(toLength: 17, withPad: " ", startingAt: 0) + String(format: " %7d  %13.1f  %15.1f", t, inMB / qt, inMB / dt))
            }
        }
        let int8Cases: [(String, Int8Options)] = [
            ("INT8 row F32", Int8Options(scheme: .perRow, scaleType: .f32)),
            ("INT8 g128 F16", Int8Options(scheme: .group(128), scaleType: .f16)),
        ]
        for (label, base) in int8Cases {
            for t in threads {
                var opts = base
                opts.threads = t
                var tensor: Int8Tensor?
                let qt = QuantBench.best(repeats) { convert(); tensor = try! Int8Quantizer.quantize(x, rows: rows, columns: width, options: opts) }
                var out = [Float](repeating: 0, count: n)
                let dt = QuantBench.best(repeats) { out.withUnsafeMutableBufferPointer { try! Int8Quantizer.dequantize(tensor!, into: $0, threads: t) } }
                print(label.padding(toLength: 17, withPad: " ", startingAt: 0) + String(format: " %7d  %13.1f  %15.1f", t, inMB / qt, inMB / dt))
            }
        }
        let y = try! NF4Quantizer.dequantize(try! NF4Quantizer.quantize(x, shape: [rows, width]))
        let w: [Float] = (0..<width).map { 0.1 + Float(($0 * 7919) % 97) / 20 }
        for t in threads {
            let mt = QuantBench.best(repeats) {
                _ = try! ErrorMetrics.measure(original: x, reconstructed: y, rowLength: width, importance: w, threads: t)
            }
            print(String(format: "metrics, weighted %5d  %13.1f M elements/s", t, Double(n) / 1e6 / mt))
        }
    }
}
