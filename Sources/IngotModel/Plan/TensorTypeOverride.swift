import Foundation
import IngotCore

/// One `--tensor-type PATTERN=TYPE` rule: tensors whose GGUF name the pattern matches anywhere
/// (`std::regex_search`) get TYPE. llama-quantize lower-cases the pattern before compiling it, and so do we.
///
/// The pattern is compiled with Foundation's ICU regular expressions; for the patterns people write
/// (`attn_v`, `blk\.[0-9]+\.ffn_down`, `ffn_(up|gate)_exps`) ICU and ECMAScript agree.
public struct TensorTypeOverride: @unchecked Sendable, Equatable, CustomStringConvertible {
    /// The pattern as compiled (lower-cased).
    public let pattern: String
    /// The type given to matching tensors.
    public let type: ElementType
    private let regex: NSRegularExpression

    /// Compiles `pattern` (lower-cased) for `type`.
    public init(pattern: String, type: ElementType) throws {
        let lowered = pattern.lowercased()
        guard !lowered.isEmpty else { throw PlanError.badOverride("\(pattern)=\(type.displayName)", reason: "empty pattern") }
        guard type.ggmlID != nil else {
            throw PlanError.badOverride("\(pattern)=\(type.displayName)", reason: "\(type.displayName) is not a GGUF tensor type")
        }
        do {
            regex = try NSRegularExpression(pattern: lowered, options: [])
        } catch {
            throw PlanError.badOverride("\(pattern)=\(type.displayName)", reason: "the pattern does not compile as a regular expression")
        }
        self.pattern = lowered
        self.type = type
    }

    /// Parses `PATTERN=TYPE` as llama-quantize does: the first `=` separates them; TYPE is a ggml type name,
    /// case-insensitive.
    public init(parsing argument: String) throws {
        guard let eq = argument.firstIndex(of: "=") else {
            throw PlanError.badOverride(argument, reason: "expected PATTERN=TYPE")
        }
        let pattern = String(argument[..<eq])
        let typeName = String(argument[argument.index(after: eq)...])
        guard let t = ElementType(displayName: typeName), t.ggmlID != nil else {
            throw PlanError.badOverride(argument, reason: "unknown type '\(typeName)'")
        }
        try self.init(pattern: pattern, type: t)
    }

    /// True when the pattern matches somewhere in `name` (`regex_search`, not a whole-name match).
    public func matches(_ name: String) -> Bool {
        let range = NSRange(name.startIndex..<name.endIndex, in: name)
        return regex.firstMatch(in: name, options: [], range: range) != nil
    }

    public var description: String { "\(pattern)=\(type.ggmlName ?? type.displayName)" }

    public static func == (a: TensorTypeOverride, b: TensorTypeOverride) -> Bool {
        a.pattern == b.pattern && a.type == b.type
    }
}
