import Foundation
import IngotCore
@testable import IngotInference

/// An in-memory ``TensorSource`` for kernel tests: tensors given as floats and encoded to a plain type.
final class MemorySource: TensorSource {
    let formatName = "memory"
    let path = "memory"
    var metadata = Metadata()
    private(set) var tensors: [TensorInfo] = []
    private var data: [String: [UInt8]] = [:]

    func add(_ name: String, shape: [Int], floats: [Float], type: ElementType = .f32) {
        var bytes = [UInt8](repeating: 0, count: floats.count * type.blockBytes)
        bytes.withUnsafeMutableBytes { b in
            floats.withUnsafeBufferPointer { ElementConversion.fromFloat(type, $0.baseAddress!, b.baseAddress!, count: floats.count) }
        }
        add(name, shape: shape, type: type, bytes: bytes)
    }

    func add(_ name: String, shape: [Int], type: ElementType, bytes: [UInt8]) {
        tensors.append(TensorInfo(name: name, type: type, shape: shape, byteCount: bytes.count))
        data[name] = bytes
    }

    func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard let d = data[name] else { throw InferenceError.missingTensor(name: name, file: path) }
        return try d.withUnsafeBytes(body)
    }
}

/// A small deterministic generator (SplitMix64) so tests never depend on the system RNG.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func floats(_ n: Int, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in Float.random(in: -scale...scale, using: &self) }
    }
}

/// Largest |a − b| and where it is.
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> (value: Float, index: Int) {
    precondition(a.count == b.count, "\(a.count) vs \(b.count)")
    var m: Float = 0, at = 0
    for i in 0..<a.count {
        let d = abs(a[i] - b[i])
        if d > m || d.isNaN { m = d; at = i }
    }
    return (m, at)
}

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func model(_ name: String) -> URL { root.appendingPathComponent("models").appendingPathComponent(name) }
    static let repoRoot = root.deletingLastPathComponent().deletingLastPathComponent()

    /// True in an optimised build, where heavy numeric tests run in full.
    static var isRelease: Bool {
        #if DEBUG
        return false
        #else
        return true
        #endif
    }
}
