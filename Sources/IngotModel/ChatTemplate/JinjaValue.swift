import Foundation

/// A value inside the template interpreter, with Python's semantics for truth, equality and printing
/// (chat templates are written against jinja2 on Python).
indirect enum JinjaValue {
    case undefined
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([JinjaValue])
    case dict(JinjaDict)
    case namespace(JinjaNamespace)
    case macro(JinjaMacro)
    case function(String)
    case method(JinjaBox, String)

    var isDefined: Bool { if case .undefined = self { return false }; return true }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .double(let v): return v != 0
        case .string(let s): return !s.isEmpty
        case .list(let a): return !a.isEmpty
        case .dict(let d): return !d.keys.isEmpty
        default: return true
        }
    }

    /// `str(x)` as Python prints it (`{{ x }}`).
    var printed: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python `repr` (used inside printed lists and dicts).
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let v): return String(v)
        case .double(let d): return JinjaValue.pythonFloat(d)
        case .string(let s):
            let q = s.contains("'") && !s.contains("\"") ? "\"" : "'"
            var out = q
            for u in s.unicodeScalars {
                switch u {
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if String(u) == q { out += "\\" + q } else { out.unicodeScalars.append(u) }
                }
            }
            return out + q
        case .list(let a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .dict(let d): return "{" + d.keys.map { "'\($0)': \(d.map[$0]!.repr)" }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        case .macro(let m): return "<Macro '\(m.name)'>"
        case .function(let n): return "<function \(n)>"
        case .method(_, let n): return "<method \(n)>"
        }
    }

    static func pythonFloat(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == d.rounded() && abs(d) < 1e16 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// Python `==`.
    static func equal(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.undefined, .undefined), (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.dict(let x), .dict(let y)):
            return x.keys.count == y.keys.count && x.keys.allSatisfy { k in y.map[k].map { equal(x.map[k]!, $0) } ?? false }
        default:
            if let x = a.number, let y = b.number { return x == y }
            return false
        }
    }

    /// Numeric value (bools count as 0/1, as in Python).
    var number: Double? {
        switch self {
        case .int(let v): return Double(v)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The elements iterated by `for` (dicts iterate their keys, strings their characters).
    func iterate() throws -> [JinjaValue] {
        switch self {
        case .list(let a): return a
        case .dict(let d): return d.keys.map { .string($0) }
        case .string(let s): return s.map { .string(String($0)) }
        case .undefined, .none: return []
        default: throw ChatTemplateError.runtime("\(repr) is not iterable")
        }
    }

    /// Converts JSON-like Swift values.
    init(_ any: Any?) {
        switch any {
        case nil: self = .none
        case let v as JinjaValue: self = v
        case let s as String: self = .string(s)
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let a as [Any?]: self = .list(a.map { JinjaValue($0) })
        case let d as [String: Any?]: self = .dict(JinjaDict(d.keys.sorted().map { ($0, JinjaValue(d[$0]!)) }))
        default: self = .string("\(any!)")
        }
    }
}

/// An ordered string-keyed dictionary (JSON objects keep their order when printed with `tojson`).
struct JinjaDict {
    var keys: [String] = []
    var map: [String: JinjaValue] = [:]

    init(_ pairs: [(String, JinjaValue)] = []) {
        for (k, v) in pairs { set(k, v) }
    }

    mutating func set(_ k: String, _ v: JinjaValue) {
        if map[k] == nil { keys.append(k) }
        map[k] = v
    }

    subscript(_ k: String) -> JinjaValue? { map[k] }
}

/// `namespace(...)`: the one mutable object templates have (attributes set across loop scopes).
final class JinjaNamespace {
    var values = JinjaDict()
    init(_ v: JinjaDict) { values = v }
}

/// A macro and the scope it was defined in.
final class JinjaMacro {
    let name: String
    let parameters: [(String, JinjaExpr?)]
    let body: [JinjaNode]
    init(name: String, parameters: [(String, JinjaExpr?)], body: [JinjaNode]) {
        self.name = name; self.parameters = parameters; self.body = body
    }
}

/// A value a bound method refers to.
final class JinjaBox {
    let value: JinjaValue
    init(_ v: JinjaValue) { value = v }
}

/// Why a chat template could not be parsed or rendered.
public enum ChatTemplateError: Error, CustomStringConvertible, Equatable {
    case syntax(line: Int, message: String)
    case runtime(String)
    /// `raise_exception(message)` in the template.
    case raised(String)

    public var description: String {
        switch self {
        case .syntax(let l, let m): return "chat template: line \(l): \(m)"
        case .runtime(let m): return "chat template: \(m)"
        case .raised(let m): return "chat template raised: \(m)"
        }
    }
}
