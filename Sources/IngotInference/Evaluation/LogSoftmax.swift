import Foundation

/// Log-softmax of one row of logits, as llama-perplexity computes it (`log_softmax` in tools/perplexity):
/// float max and `expf`, the sum of exponentials in double.
struct LogSoftmax {
    let max: Float
    /// log Σ exp(logit − max).
    let logSumExp: Double

    init(_ row: UnsafePointer<Float>, count n: Int) {
        var m = row[0]
        for i in 1..<n { m = Swift.max(m, row[i]) }
        var s = 0.0
        for i in 0..<n { s += Double(expf(row[i] - m)) }
        max = m
        logSumExp = Foundation.log(s)
    }

    /// log p(token).
    @inline(__always) func logProb(_ logit: Float) -> Double { Double(logit - max) - logSumExp }
}
