import IngotCore

/// Why a quantization or dequantization call was refused.
public enum QuantError: IngotDiagnostic, Equatable {
    /// A row whose length is not a multiple of the type's block; the caller (the converter) picks a fallback type.
    case rowLengthNotMultiple(type: ElementType, rowLength: Int, blockSize: Int)
    /// NaN or ±Inf at flat `index` of a tensor whose rows are `rowLength` long (so row `index / rowLength`).
    case nonFinite(value: Float, index: Int, rowLength: Int)
    /// NaN or ±Inf in an importance vector (imatrix) at `index`.
    case nonFiniteImportance(value: Float, index: Int)
    /// No codec can encode `type`.
    case encodeUnsupported(ElementType, supported: [ElementType])
    /// No codec can decode `type`.
    case decodeUnsupported(ElementType, supported: [ElementType])
    /// A buffer of the wrong size.
    case bufferSize(what: String, expected: Int, found: Int)
    /// A shape that cannot be split into rows (zero or negative row length, or elements not a multiple of it).
    case badShape(String)

    public var description: String {
        switch self {
        case let .rowLengthNotMultiple(t, n, qk):
            return "cannot quantize to \(t.displayName): row length \(n) is not a multiple of its block size \(qk)"
        case let .nonFinite(v, i, n):
            let row = n > 0 ? i / n : 0, col = n > 0 ? i % n : i
            return "input value \(v) at flat index \(i) (row \(row), column \(col)) is not finite; NaN and Inf are never quantized"
        case let .nonFiniteImportance(v, i):
            return "importance (imatrix) value \(v) at index \(i) is not finite"
        case let .encodeUnsupported(t, s):
            return "Ingot cannot quantize to \(t.displayName); supported: \(s.map(\.displayName).joined(separator: ", "))"
        case let .decodeUnsupported(t, s):
            return "Ingot cannot dequantize \(t.displayName); supported: \(s.map(\.displayName).joined(separator: ", "))"
        case let .bufferSize(what, e, f):
            return "\(what): expected \(e) elements or bytes, found \(f)"
        case let .badShape(s):
            return s
        }
    }

    public var hint: String? {
        switch self {
        case .rowLengthNotMultiple:
            return "use a type whose block divides the row (Q8_0/Q5_0/Q4_0 have blocks of 32), or keep the tensor in F16"
        case .nonFinite:
            return "the source tensor holds NaN or Inf; fix or re-export the model before converting"
        case .nonFiniteImportance:
            return "the imatrix file is damaged; re-run calibration"
        default:
            return nil
        }
    }

    /// Row of a ``nonFinite`` error (nil for other cases).
    public var row: Int? {
        if case let .nonFinite(_, i, n) = self, n > 0 { return i / n }
        return nil
    }

    /// Column of a ``nonFinite`` error (nil for other cases).
    public var column: Int? {
        if case let .nonFinite(_, i, n) = self, n > 0 { return i % n }
        return nil
    }

    public static func == (a: QuantError, b: QuantError) -> Bool { a.description == b.description }
}
