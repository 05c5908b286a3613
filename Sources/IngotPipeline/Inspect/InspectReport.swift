import Foundation
import IngotCore
import IngotFormats

/// What `ingot inspect` reports about a model file or checkpoint: format, metadata, tensors, totals and an
/// architecture summary. Built from headers only: no tensor data is touched.
public struct InspectReport {
    /// One tensor row. `offset` is the absolute byte offset in `file`.
    public struct Tensor: Equatable {
        public var name: String
        public var type: ElementType
        /// Outermost first.
        public var shape: [Int]
        public var bytes: Int
        public var offset: Int
        public var file: String
        /// Elements (0 for a shape the readers would have rejected as overflowing).
        public var parameters: Int { (try? ElementType.elementCount(shape)) ?? 0 }
    }

    /// Totals for one element type.
    public struct TypeTotal: Equatable {
        public var type: ElementType
        public var tensors: Int
        public var parameters: Int
        public var bytes: Int
        public var bitsPerWeight: Double { parameters > 0 ? Double(bytes) * 8 / Double(parameters) : 0 }
    }

    /// Shape of the network, from config.json or GGUF keys (nil where the source does not say).
    public struct ModelSummary: Equatable {
        public var name: String?
        public var layers: Int?
        public var hiddenSize: Int?
        public var heads: Int?
        public var kvHeads: Int?
        public var vocabSize: Int?
        public var contextLength: Int?
        public var experts: Int?
        public var expertsPerToken: Int?
        public init() {}
    }

    public var path: String
    /// `"gguf"` or `"safetensors"`.
    public var format: String
    /// GGUF version; safetensors has none.
    public var version: Int?
    /// The files read (shards in order).
    public var files: [String]
    /// GGUF key/values or safetensors `__metadata__`, in file order.
    public var metadata: Metadata
    /// GGUF only.
    public var alignment: Int?
    public var dataOffset: Int?
    /// Every tensor, in file order.
    public var allTensors: [Tensor]
    /// The tensors shown and totalled (all, or those matching `filter`).
    public var tensors: [Tensor]
    /// The regular expression tensors were filtered by, if any.
    public var filter: String?
    public var architecture: ModelSummary

    /// Sum of the selected tensors' elements.
    public var parameters: Int { tensors.reduce(0) { $0 + $1.parameters } }
    /// Sum of the selected tensors' bytes.
    public var bytes: Int { tensors.reduce(0) { $0 + $1.bytes } }
    public var bitsPerWeight: Double { parameters > 0 ? Double(bytes) * 8 / Double(parameters) : 0 }

    /// Totals per element type, largest byte share first.
    public var perType: [TypeTotal] {
        var totals: [ElementType: TypeTotal] = [:]
        for t in tensors {
            var s = totals[t.type] ?? TypeTotal(type: t.type, tensors: 0, parameters: 0, bytes: 0)
            s.tensors += 1
            s.parameters += t.parameters
            s.bytes += t.bytes
            totals[t.type] = s
        }
        return totals.values.sorted { ($0.bytes, $1.type.displayName) > ($1.bytes, $0.type.displayName) }
    }

    /// The report restricted to tensors whose name matches `pattern` (a regular expression, searched anywhere).
    public func filtered(by pattern: String) throws -> InspectReport {
        let re: NSRegularExpression
        do { re = try NSRegularExpression(pattern: pattern) } catch {
            throw IngotFailure("invalid --filter regular expression '\(pattern)': \(error.localizedDescription)",
                               hint: "the pattern is an ICU regular expression, e.g. 'blk\\.0\\.' or 'attn_(q|k)'")
        }
        var r = self
        r.filter = pattern
        r.tensors = allTensors.filter { t in
            re.firstMatch(in: t.name, range: NSRange(t.name.startIndex..., in: t.name)) != nil
        }
        return r
    }
}
