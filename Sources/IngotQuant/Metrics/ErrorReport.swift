/// Reconstruction error of one tensor, from ``ErrorMetrics/measure(original:reconstructed:rowLength:importance:name:threads:)``.
///
/// Definitions (x = original, y = reconstructed, e = x − y, sums over all elements, in Double):
/// - `rmse = sqrt(Σe² / n)`
/// - `maxAbsError = max |e|`, at (`maxAbsRow`, `maxAbsColumn`) — the first such element in row-major order
/// - `relativeFrobenius = sqrt(Σe²) / sqrt(Σx²)` (0 when both are 0, +∞ when only the original is 0)
/// - `snrDB = 10 · log10(Σx² / Σe²)` (+∞ for an exact reconstruction, −∞ for a zero original with errors)
/// - `cosine = Σxy / sqrt(Σx² · Σy²)` (1 when both are all zero, 0 when only one is)
///
/// With an importance vector w (one non-negative weight per column, e.g. an imatrix row), ``weighted`` holds the same
/// quantities with every sum weighted by `w[column]`: `rmse = sqrt(Σw·e² / Σw)` over all elements, `maxAbsError =
/// max sqrt(w)·|e|` (so its square is the largest weighted squared error), and the ratios from the weighted sums.
public struct ErrorReport: Equatable, Sendable {
    /// One set of the five metrics.
    public struct Metrics: Equatable, Sendable {
        public var rmse: Double
        public var maxAbsError: Double
        public var maxAbsRow: Int
        public var maxAbsColumn: Int
        public var relativeFrobenius: Double
        public var snrDB: Double
        public var cosine: Double

        /// JSON-friendly view: numbers as Double/Int; non-finite values (SNR of an exact copy) as the strings
        /// "inf" / "-inf" / "nan", since JSON has no literal for them.
        public var dictionary: [String: Any] {
            ["rmse": ErrorReport.json(rmse), "max_abs_error": ErrorReport.json(maxAbsError), "max_abs_row": maxAbsRow,
             "max_abs_column": maxAbsColumn, "relative_frobenius": ErrorReport.json(relativeFrobenius),
             "snr_db": ErrorReport.json(snrDB), "cosine": ErrorReport.json(cosine)]
        }
    }

    /// Tensor name, when given.
    public var name: String?
    /// Elements compared.
    public var count: Int
    /// Rows (`count / rowLength`) and row length.
    public var rows: Int
    public var rowLength: Int
    /// Unweighted metrics.
    public var plain: Metrics
    /// Importance-weighted metrics (nil without an importance vector).
    public var weighted: Metrics?

    /// JSON-friendly view (`[String: Any]` of numbers, strings and nested dictionaries), for `--json` output.
    public var dictionary: [String: Any] {
        var d: [String: Any] = ["count": count, "rows": rows, "row_length": rowLength, "metrics": plain.dictionary]
        if let name { d["name"] = name }
        if let weighted { d["weighted"] = weighted.dictionary }
        return d
    }

    static func json(_ v: Double) -> Any {
        if v.isFinite { return v }
        return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf")
    }
}
