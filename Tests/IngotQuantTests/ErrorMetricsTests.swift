import Foundation
import Testing
import IngotCore
@testable import IngotQuant
import IngotTestSupport

/// Error metrics against values worked out by hand, thread independence, weighting and NaN reporting.
@Suite struct ErrorMetricsTests {
    @Test func knownValues() throws {
        // x = [3, 4 | 0, 0], y = [3, 3 | 0, 1]: e = [0, 1 | 0, -1]
        let r = try ErrorMetrics.measure(original: [3, 4, 0, 0], reconstructed: [3, 3, 0, 1], rowLength: 2, name: "t")
        #expect(r.count == 4 && r.rows == 2 && r.rowLength == 2 && r.name == "t")
        #expect(r.plain.rmse == (2.0 / 4).squareRoot())
        #expect(r.plain.maxAbsError == 1 && r.plain.maxAbsRow == 0 && r.plain.maxAbsColumn == 1)   // first of the ties
        #expect(r.plain.relativeFrobenius == (2.0 / 25).squareRoot())
        #expect(abs(r.plain.snrDB - 10 * log10(25.0 / 2)) < 1e-12)
        #expect(abs(r.plain.cosine - 21 / (5 * 19.0.squareRoot())) < 1e-15)
        #expect(r.weighted == nil)
    }

    @Test func weightedValues() throws {
        // columns weighted [4, 0]: only column 0 counts; its error is in row 1
        let r = try ErrorMetrics.measure(original: [1, 5, 2, 7], reconstructed: [1, 0, 1, 7], rowLength: 2, importance: [4, 0])
        let w = try #require(r.weighted)
        #expect(w.rmse == (4.0 / 8).squareRoot())            // Σw·e² = 4, Σw over elements = 8
        #expect(w.maxAbsError == 2 && w.maxAbsRow == 1 && w.maxAbsColumn == 0)   // sqrt(4)·1
        #expect(w.relativeFrobenius == (4.0 / 20).squareRoot())   // Σw·x² = 4·1 + 4·4
        #expect(abs(w.cosine - 12 / (20.0 * 8).squareRoot()) < 1e-15)      // Σw·xy = 4·1 + 4·2
        #expect(r.plain.maxAbsError == 5 && r.plain.maxAbsRow == 0 && r.plain.maxAbsColumn == 1)
    }

    @Test func exactAndZeroCases() throws {
        let same = try ErrorMetrics.measure(original: [1, 2], reconstructed: [1, 2], rowLength: 2)
        #expect(same.plain.rmse == 0 && same.plain.snrDB == .infinity && same.plain.cosine == 1 && same.plain.relativeFrobenius == 0)
        let zero = try ErrorMetrics.measure(original: [0, 0], reconstructed: [0, 1], rowLength: 1)
        #expect(zero.plain.relativeFrobenius == .infinity && zero.plain.snrDB == -.infinity && zero.plain.cosine == 0)
        #expect(zero.plain.maxAbsRow == 1 && zero.plain.maxAbsColumn == 0)
        let d = same.dictionary
        #expect((d["metrics"] as! [String: Any])["snr_db"] as? String == "inf")
        #expect(JSONSerialization.isValidJSONObject(zero.dictionary))
    }

    @Test func threadCountDoesNotChangeAnyBit() throws {
        var rng = SeededRandom(seed: 3)
        let rows = 97, cols = 61
        let x = (0..<(rows * cols)).map { _ in rng.gaussian() }
        let y = x.map { $0 + rng.gaussian() * 0.01 }
        let w = (0..<cols).map { _ in rng.unit() }
        let one = try ErrorMetrics.measure(original: x, reconstructed: y, rowLength: cols, importance: w, threads: 1)
        for t in [2, 3, 8] {
            #expect(try ErrorMetrics.measure(original: x, reconstructed: y, rowLength: cols, importance: w, threads: t) == one)
        }
        // uniform importance gives the unweighted figures (up to the scale the weight cancels)
        let u = try ErrorMetrics.measure(original: x, reconstructed: y, rowLength: cols, importance: [Float](repeating: 1, count: cols))
        #expect(abs(u.weighted!.rmse - u.plain.rmse) < 1e-12 && u.weighted!.maxAbsError == u.plain.maxAbsError)
    }

    @Test func reportsNonFiniteWithPositionAndName() {
        var y = [Float](repeating: 0, count: 12)
        y[7] = .nan
        #expect(throws: MetricsError.nonFinite(tensor: "blk.0.ffn_up", input: "reconstructed", row: 1, column: 3, value: .nan)) {
            try ErrorMetrics.measure(original: [Float](repeating: 0, count: 12), reconstructed: y, rowLength: 4, name: "blk.0.ffn_up")
        }
        var x = [Float](repeating: 0, count: 12)
        x[11] = -.infinity
        let e = #expect(throws: MetricsError.self) { try ErrorMetrics.measure(original: x, reconstructed: y, rowLength: 4) }
        #expect(e?.description.contains("original value -inf at row 2, column 3") == true)
        #expect(throws: MetricsError.self) { try ErrorMetrics.measure(original: [1, 2, 3], reconstructed: [1, 2], rowLength: 1) }
        #expect(throws: MetricsError.self) { try ErrorMetrics.measure(original: [1, 2, 3], reconstructed: [1, 2, 3], rowLength: 2) }
        #expect(throws: MetricsError.badImportance(index: 1, value: -1)) {
            try ErrorMetrics.measure(original: [1, 2], reconstructed: [1, 2], rowLength: 2, importance: [1, -1])
        }
    }
}
