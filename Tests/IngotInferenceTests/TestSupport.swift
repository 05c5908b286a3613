import Foundation
import IngotCore
@testable import IngotInference
import IngotTestSupport

/// An in-memory ``TensorSource`` for kernel tests: tensors given as floats and encoded to a plain type.
final class MemorySource: TensorSource {
    let formatID = FormatID("memory")
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
