import IngotCore

/// One printable line of a plan, for `--dry-run` and reports.
public struct PlanSummaryRow: Equatable, Sendable {
    public var name: String
    /// Shape in GGUF order as llama-quantize prints it (`"4096, 288, 8"`, innermost first).
    public var shape: String
    public var sourceType: String
    public var targetType: String
    public var sourceBytes: Int
    public var targetBytes: Int
    /// Why the type was chosen, with the fallback when one happened (`"default; fallback q4_K → q5_0"`).
    public var reason: String
}

/// Totals of a plan.
public struct PlanTotals: Equatable, Sendable {
    public var tensorCount: Int
    /// Tensors whose type changes.
    public var convertedCount: Int
    public var fallbackCount: Int
    public var elementCount: Int
    public var sourceBytes: Int
    public var targetBytes: Int
    public var sourceBitsPerWeight: Double
    public var targetBitsPerWeight: Double
}

extension QuantPlan {
    /// One row per tensor, in output order.
    public var summaryRows: [PlanSummaryRow] {
        tensors.map { t in
            var reason = t.reason.description
            if let from = t.fallbackFrom {
                reason += "; fallback \(from.ggmlName ?? from.displayName) → \(t.targetType.ggmlName ?? t.targetType.displayName)"
                    + " (row \(t.shape.last ?? 1) not a multiple of \(from.blockElements))"
            }
            return PlanSummaryRow(
                name: t.name, shape: t.shape.reversed().map(String.init).joined(separator: ", "),
                sourceType: t.sourceType.displayName, targetType: t.targetType.displayName,
                sourceBytes: t.sourceBytes, targetBytes: t.targetBytes, reason: reason)
        }
    }

    /// Totals over every tensor (bits per weight over all elements, as llama-quantize reports them).
    public var totals: PlanTotals {
        PlanTotals(tensorCount: tensors.count, convertedCount: tensors.filter(\.changesType).count,
                   fallbackCount: fallbackCount, elementCount: elementCount, sourceBytes: sourceBytes,
                   targetBytes: targetBytes, sourceBitsPerWeight: sourceBitsPerWeight,
                   targetBitsPerWeight: targetBitsPerWeight)
    }

    /// The plan folded over layers for provenance metadata: each name with `blk.N.` written `blk.*.`, and the
    /// types its tensors got with counts, in output order (`blk.*.attn_v.weight` → `[(q6_K, 8), (q4_K, 24)]`).
    public var typesByPattern: [(pattern: String, types: [(type: ElementType, count: Int)])] {
        var order: [String] = []
        var table: [String: [(type: ElementType, count: Int)]] = [:]
        for t in tensors {
            let pattern = QuantPlan.layerPattern(t.name)
            if table[pattern] == nil { order.append(pattern); table[pattern] = [] }
            if let i = table[pattern]!.firstIndex(where: { $0.type == t.targetType }) {
                table[pattern]![i].count += 1
            } else {
                table[pattern]!.append((t.targetType, 1))
            }
        }
        return order.map { ($0, table[$0]!) }
    }

    /// `typesByPattern` as one line per pattern: `blk.*.attn_v.weight=q6_K×8,q4_K×24`.
    public var typesByPatternText: [String] {
        typesByPattern.map { p in
            p.pattern + "=" + p.types.map { "\($0.type.ggmlName ?? $0.type.displayName)×\($0.count)" }.joined(separator: ",")
        }
    }

    /// `blk.12.ffn_down.weight` → `blk.*.ffn_down.weight`; other names unchanged.
    static func layerPattern(_ name: String) -> String {
        guard name.hasPrefix("blk."), QuantPlanner.blockNumber(name) != nil else { return name }
        let rest = name.dropFirst(4).drop { $0.isNumber }
        return "blk.*" + rest
    }
}
