import Foundation
import IngotCore

/// Progress of a conversion on stderr: a live line on a terminal (tensor, MB/s, ETA), one summary line otherwise.
public final class ConvertProgress: @unchecked Sendable {
    private let isTTY: Bool
    private let out: FileHandle
    private var total = 0
    private var done = 0
    private var tensors = 0
    private var count = 0
    private var start = Date()
    private var lastDraw = Date.distantPast

    /// `isTTY` nil = ask the system whether stderr is a terminal.
    public init(isTTY: Bool? = nil, output: FileHandle = .standardError) {
        self.isTTY = isTTY ?? (isatty(2) != 0)
        out = output
    }

    func begin(totalBytes: Int, tensors: Int) {
        total = max(1, totalBytes)
        self.tensors = tensors
        start = Date()
    }

    func advance(tensor: String, bytes: Int) {
        done += bytes
        count += 1
        guard isTTY else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || count == tensors else { return }
        lastDraw = now
        let elapsed = max(1e-6, now.timeIntervalSince(start))
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let pct = Int(Double(done) * 100 / Double(total))
        let name = tensor.count > 32 ? "…" + tensor.suffix(31) : tensor
        emit("\r\u{1B}[K[\(count)/\(tensors)] \(pct)% \(name)  \(String(format: "%.0f", rate / 1e6)) MB/s  ETA \(String(format: "%.0f", eta))s")
    }

    func finish() {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / 1e6 / elapsed : 0
        if isTTY { emit("\r\u{1B}[K") }
        emit("converted \(count) tensors, \(done / 1_000_000) MB read in \(String(format: "%.2f", elapsed)) s (\(String(format: "%.0f", rate)) MB/s)\n")
    }

    func abort() {
        if isTTY { emit("\r\u{1B}[K") }
    }

    private func emit(_ s: String) { out.write(Data(s.utf8)) }
}
