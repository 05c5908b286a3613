import IngotCore

/// Why error metrics could not be computed.
public enum MetricsError: IngotDiagnostic, Equatable {
    /// NaN or ±Inf in one of the inputs, at (row, column) of the named tensor.
    case nonFinite(tensor: String?, input: String, row: Int, column: Int, value: Float)
    /// The two inputs (or the importance vector) disagree in size, or the row length does not divide them.
    case sizeMismatch(String)
    /// A negative or non-finite importance weight.
    case badImportance(index: Int, value: Float)

    public var description: String {
        switch self {
        case let .nonFinite(t, input, r, c, v):
            return "\(t.map { "tensor '\($0)': " } ?? "")\(input) value \(v) at row \(r), column \(c) is not finite"
        case let .sizeMismatch(s):
            return s
        case let .badImportance(i, v):
            return "importance weight \(v) at column \(i) must be finite and non-negative"
        }
    }

    public static func == (a: MetricsError, b: MetricsError) -> Bool { a.description == b.description }
}
