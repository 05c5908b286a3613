import Foundation

/// The authorship heuristics of gguf-py's `Metadata` (`metadata.py`) and `utility.py` that decide `general.name`,
/// `general.basename`, `general.finetune`, `general.version`, `general.organization` and `general.size_label` from a
/// model id or directory name and the parameter count, ported line by line so Ingot writes the same strings.
public enum ModelNaming {
    /// The components `get_model_id_components` finds in a model id (`org/Name-7B-Instruct-v0.2`).
    public struct Components: Equatable {
        public var fullName: String?
        public var organization: String?
        public var basename: String?
        public var finetune: String?
        public var version: String?
        public var sizeLabel: String?
    }

    /// `Metadata.id_to_title`: words title-cased unless they hold upper case already or are version-like.
    public static func title(_ id: String) -> String {
        let words = id.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "-", with: " ")
            .split(whereSeparator: { $0.isWhitespace }).map(String.init)
        return words.map { w in
            (pyIsLower(w) && !matches(w, "^(v\\d+(?:\\.\\d+)*|\\d.*)$")) ? pyTitle(w) : w
        }.joined(separator: " ")
    }

    /// `Metadata.get_model_id_components(model_id, total_params)`.
    public static func components(_ modelID: String, totalParams: Int) -> Components {
        if modelID.contains(" ") { return Components(fullName: modelID) }
        var org: String?
        let full: String
        if let slash = modelID.firstIndex(of: "/") {
            org = String(modelID[..<slash])
            full = String(modelID[modelID.index(after: slash)...])
        } else {
            full = modelID
        }
        if let o = org, o.first == "." { org = nil }

        var parts = full.split(separator: "-", omittingEmptySubsequences: true).map(String.init)
        var types = [Set<String>](repeating: [], count: parts.count)
        for i in parts.indices {
            var part = parts[i]
            if fullMatch(part, "(v|iter)?\\d+([.]\\d+)*", caseInsensitive: true) {
                types[i].insert("version")
            } else if fullMatch(part, "i?q\\d(_\\w)*|b?fp?(16|32)", caseInsensitive: true) {
                types[i].insert("type")
                parts[i] = part.uppercased()
            } else if i > 0, fullMatch(part, "(([A]|\\d+[x])?\\d+([._]\\d+)?[KMBT][\\d]?|small|mini|medium|large|x?xl)",
                                      caseInsensitive: true) {
                part = part.replacingOccurrences(of: "_", with: ".")
                var chars = Array(part)
                if let last = chars.last, last.isASCII, last.isNumber, chars.count >= 2 {
                    // bloom-7b1 → 7.1b
                    let l = chars.removeLast(), m = chars.removeLast()
                    chars += [".", l, m]
                }
                if chars.count > 1, chars[chars.count - 2].isASCII, chars[chars.count - 2].isNumber,
                   "kmbt".contains(chars[chars.count - 1]) {
                    chars[chars.count - 1] = Character(chars[chars.count - 1].uppercased())
                }
                part = String(chars)
                // " KMBT".find(suffix): -1 when absent, as Python's str.find.
                let scale = Array(" KMBT").firstIndex(of: chars.last!) ?? -1
                if totalParams != 0, let num = Double(String(chars.dropLast())) {
                    let label = num * pow(1000, Double(scale))
                    if (totalParams < 0 && label < Double(abs(totalParams) / 8))
                        || (totalParams > 0 && abs(label - Double(totalParams)) > Double(7 * totalParams / 8)) {
                        types[i].insert("finetune")
                        part = String(chars.dropLast()) + chars.last!.lowercased()
                    }
                }
                if types[i].isEmpty { types[i].insert("size_label") }
                parts[i] = part
            } else if i > 0, fullMatch(part, "chat|instruct|vision|lora", caseInsensitive: true) {
                if totalParams < 0 && part.lowercased() == "lora" { types[i].insert("type") } else { types[i].insert("finetune") }
            }
        }
        // Word-based size labels give way to number-based ones.
        if zip(parts, types).contains(where: { $1.contains("size_label") && $0.contains(where: { $0.isNumber }) }) {
            for i in parts.indices where types[i].contains("size_label") && parts[i].allSatisfy({ $0.isLetter }) {
                types[i].remove("size_label")
            }
        }
        var atStart = true
        for i in parts.indices {
            if atStart && ((types[i].isEmpty && parts[i].first!.isLetter) || types[i].contains("version")) {
                types[i].insert("basename")
            } else {
                atStart = false
                if types[i].isEmpty { types[i].insert("finetune") }
            }
        }
        for i in parts.indices.reversed() {
            if types[i].contains("basename") && types[i].count > 1 { types[i].remove("basename") } else { break }
        }
        func join(_ pick: (Int) -> Bool) -> String? {
            let s = parts.indices.filter(pick).map { parts[$0] }
            return s.isEmpty ? nil : s.joined(separator: "-")
        }
        var basename = join { types[$0].contains("basename") }
        var seen = Set<String>()
        let sizes = parts.indices.filter { types[$0].contains("size_label") }.map { parts[$0] }.filter { seen.insert($0).inserted }
        let size = sizes.isEmpty ? nil : sizes.joined(separator: "-")
        let finetune = join { types[$0].contains("finetune") }
        let version = join { types[$0].contains("version") && !types[$0].contains("basename") }
        if size == nil && finetune == nil && version == nil { basename = nil }
        return Components(fullName: full, organization: org, basename: basename, finetune: finetune,
                          version: version, sizeLabel: size)
    }

    /// `gguf.size_label(total, shared, expert, expert_count)`: `5.1M`, `8x2.9M`.
    public static func sizeLabel(totalParams: Int, sharedParams: Int, expertParams: Int, expertCount: Int) -> String {
        if expertCount > 0 {
            return "\(expertCount)x" + roundedNotation(abs(sharedParams) + abs(expertParams), minDigits: 2)
        }
        return roundedNotation(abs(totalParams), minDigits: 2)
    }

    /// `model_weight_count_rounded_notation`.
    public static func roundedNotation(_ count: Int, minDigits: Int) -> String {
        let c = Double(count)
        let (scaled, suffix): (Double, String)
        if c > 1e12 { (scaled, suffix) = (c * 1e-12, "T") }
        else if c > 1e9 { (scaled, suffix) = (c * 1e-9, "B") }
        else if c > 1e6 { (scaled, suffix) = (c * 1e-6, "M") }
        else { (scaled, suffix) = (c * 1e-3, "K") }
        let rounded = String(Int(scaled.rounded(.toNearestOrEven)))
        let digits = rounded.drop(while: { $0 == "0" }).count
        let fix = max(minDigits - digits, 0)
        return String(format: "%.\(fix)f", scaled) + suffix
    }

    /// gguf-py's `get_total_parameter_count` over output tensors (name, shape outermost first).
    public static func parameterCounts(_ tensors: [(name: String, shape: [Int])]) -> (total: Int, shared: Int, expert: Int, expertCount: Int) {
        var total = 0, shared = 0, expert = 0, expertSum = 0, nExpertTensors = 0
        for t in tensors {
            let size = t.shape.reduce(1, *)
            if t.name.contains("_exps.") && t.shape.count >= 3 {
                let count = t.shape[t.shape.count - (t.name.contains(".bias") ? 2 : 3)]
                if count > 0 { expert += size / count }
                expertSum += count
                nExpertTensors += 1
            } else {
                shared += size
            }
            total += size
        }
        return (total, shared, expert, nExpertTensors > 0 ? expertSum / nExpertTensors : 0)
    }

    // MARK: - Python string semantics

    /// `str.islower()`: at least one cased character and no upper-case one.
    static func pyIsLower(_ s: String) -> Bool {
        var cased = false
        for c in s {
            if c.isUppercase { return false }
            if c.isLowercase { cased = true }
        }
        return cased
    }

    /// `str.title()`: a letter after a non-cased character is upper-cased, others lower-cased.
    static func pyTitle(_ s: String) -> String {
        var out = ""
        var prevCased = false
        for c in s {
            if c.isUppercase || c.isLowercase {
                out += prevCased ? c.lowercased() : c.uppercased()
                prevCased = true
            } else {
                out.append(c)
                prevCased = false
            }
        }
        return out
    }

    static func fullMatch(_ s: String, _ pattern: String, caseInsensitive: Bool) -> Bool {
        matches(s, "^(?:" + pattern + ")$", caseInsensitive: caseInsensitive)
    }

    static func matches(_ s: String, _ pattern: String, caseInsensitive: Bool = false) -> Bool {
        guard let re = try? NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : []) else {
            return false
        }
        return re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
    }
}
