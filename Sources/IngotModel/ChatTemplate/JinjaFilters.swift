import Foundation

/// The filters, tests and methods chat templates use, with jinja2 / Python behaviour.
enum JinjaFilters {
    static let stringMethods: Set<String> = ["strip", "lstrip", "rstrip", "startswith", "endswith", "split", "upper",
                                             "lower", "replace", "title", "capitalize", "format", "join", "find", "count"]

    static func apply(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        func kw(_ k: String, _ i: Int) -> JinjaValue? { kwargs.first { $0.0 == k }?.1 ?? (i < args.count ? args[i] : nil) }
        switch name {
        case "trim": return .string(v.printed.trimmingCharacters(in: .whitespacesAndNewlines))
        case "upper": return .string(v.printed.uppercased())
        case "lower": return .string(v.printed.lowercased())
        case "capitalize": return .string(v.printed.prefix(1).uppercased() + v.printed.dropFirst().lowercased())
        case "title": return .string(v.printed.capitalized)
        case "string": return .string(v.printed)
        case "safe": return v
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.count)
            case .list(let a): return .int(a.count)
            case .dict(let d): return .int(d.keys.count)
            case .undefined: return .int(0)
            default: throw ChatTemplateError.runtime("object of type \(v.repr) has no len()")
            }
        case "first": return try v.iterate().first ?? .undefined
        case "last": return try v.iterate().last ?? .undefined
        case "list": return .list(try v.iterate())
        case "reverse":
            if case .string(let s) = v { return .string(String(s.reversed())) }
            return .list(try v.iterate().reversed())
        case "join":
            let sep = kw("d", 0)?.printed ?? ""
            if let attr = kwargs.first(where: { $0.0 == "attribute" })?.1.printed {
                return .string(try v.iterate().map { x -> String in if case .dict(let d) = x { return d[attr]?.printed ?? "" }; return "" }.joined(separator: sep))
            }
            return .string(try v.iterate().map(\.printed).joined(separator: sep))
        case "default", "d":
            let def = kw("default_value", 0) ?? .string("")
            let boolean = kw("boolean", 1)?.truthy ?? false
            return (!v.isDefined || (boolean && !v.truthy)) ? def : v
        case "replace":
            guard args.count >= 2 else { throw ChatTemplateError.runtime("replace needs two arguments") }
            return .string(v.printed.replacingOccurrences(of: args[0].printed, with: args[1].printed))
        case "int":
            switch v {
            case .int: return v
            case .double(let d): return .int(Int(exactly: d.rounded(.towardZero)) ?? 0)
            case .bool(let b): return .int(b ? 1 : 0)
            default: return .int(Int(v.printed.trimmingCharacters(in: .whitespaces)) ?? 0)
            }
        case "float": return .double(v.number ?? Double(v.printed) ?? 0)
        case "abs":
            if case .int(let i) = v { return .int(abs(i)) }
            return .double(abs(v.number ?? 0))
        case "tojson":
            // Negative indents print as 0 (Python's json.dumps); absurd ones are capped rather than trapping.
            let indent = kw("indent", 0).flatMap { x -> Int? in if case .int(let i) = x { return max(0, min(i, 256)) }; return nil }
            return .string(toJSON(v, indent: indent, level: 0))
        case "items":
            guard case .dict(let d) = v else { return .list([]) }
            return .list(d.keys.map { .list([.string($0), d.map[$0]!]) })
        case "selectattr", "rejectattr":
            guard let attr = args.first?.printed else { throw ChatTemplateError.runtime("\(name) needs an attribute") }
            let keep = name == "selectattr"
            return .list(try v.iterate().filter { x in
                let a: JinjaValue
                if case .dict(let d) = x { a = d[attr] ?? .undefined } else { a = .undefined }
                let r = args.count > 1 ? try test(args[1].printed, a, Array(args.dropFirst(2))) : a.truthy
                return r == keep
            })
        case "map":
            if let attr = kwargs.first(where: { $0.0 == "attribute" })?.1.printed {
                return .list(try v.iterate().map { x in if case .dict(let d) = x { return d[attr] ?? .undefined }; return .undefined })
            }
            guard let f = args.first?.printed else { throw ChatTemplateError.runtime("map needs a filter or attribute") }
            return .list(try v.iterate().map { try apply(f, $0, Array(args.dropFirst()), []) })
        case "unique":
            var out: [JinjaValue] = []
            for x in try v.iterate() where !out.contains(where: { JinjaValue.equal($0, x) }) { out.append(x) }
            return .list(out)
        default:
            throw ChatTemplateError.runtime("unsupported filter '\(name)'")
        }
    }

    static func test(_ name: String, _ v: JinjaValue, _ args: [JinjaValue]) throws -> Bool {
        switch name {
        case "defined": return v.isDefined
        case "undefined": return !v.isDefined
        case "none": if case .none = v { return true }; return false
        case "string": if case .string = v { return true }; return false
        case "mapping": if case .dict = v { return true }; return false
        case "iterable":
            switch v { case .string, .list, .dict: return true; default: return false }
        case "sequence":
            switch v { case .string, .list, .dict: return true; default: return false }
        case "number": switch v { case .int, .double: return true; default: return false }
        case "integer": if case .int = v { return true }; return false
        case "float": if case .double = v { return true }; return false
        case "boolean": if case .bool = v { return true }; return false
        case "true": if case .bool(true) = v { return true }; return false
        case "false": if case .bool(false) = v { return true }; return false
        case "callable": switch v { case .macro, .function, .method: return true; default: return false }
        case "odd": if case .int(let i) = v { return i % 2 != 0 }; return false
        case "even": if case .int(let i) = v { return i % 2 == 0 }; return false
        case "eq", "equalto", "==", "sameas": return args.first.map { JinjaValue.equal(v, $0) } ?? false
        case "ne", "!=": return args.first.map { !JinjaValue.equal(v, $0) } ?? false
        case "in": if let c = args.first { return (try? c.iterate())?.contains { JinjaValue.equal($0, v) } ?? false }; return false
        default: throw ChatTemplateError.runtime("unsupported test '\(name)'")
        }
    }

    static func method(_ v: JinjaValue, _ name: String, _ args: [JinjaValue]) throws -> JinjaValue {
        if case .dict(let d) = v {
            switch name {
            case "items": return .list(d.keys.map { .list([.string($0), d.map[$0]!]) })
            case "keys": return .list(d.keys.map { .string($0) })
            case "values": return .list(d.keys.map { d.map[$0]! })
            case "get": return d[args.first?.printed ?? ""] ?? (args.count > 1 ? args[1] : .none)
            default: break
            }
        }
        guard case .string(let s) = v else { throw ChatTemplateError.runtime("no method \(name) on \(v.repr)") }
        func chars(_ i: Int) -> CharacterSet? {
            guard i < args.count, case .string(let c) = args[i] else { return nil }
            return CharacterSet(charactersIn: c)
        }
        switch name {
        case "strip": return .string(s.trimmingCharacters(in: chars(0) ?? .whitespacesAndNewlines))
        case "lstrip":
            let set = chars(0) ?? .whitespacesAndNewlines
            return .string(String(s.unicodeScalars.drop { set.contains($0) }))
        case "rstrip":
            let set = chars(0) ?? .whitespacesAndNewlines
            var u = Substring(s).unicodeScalars
            while let l = u.last, set.contains(l) { u.removeLast() }
            return .string(String(u))
        case "startswith": return .bool(args.contains { s.hasPrefix($0.printed) })
        case "endswith": return .bool(args.contains { s.hasSuffix($0.printed) })
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "title": return .string(s.capitalized)
        case "capitalize": return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "replace":
            guard args.count >= 2 else { throw ChatTemplateError.runtime("replace needs two arguments") }
            return .string(s.replacingOccurrences(of: args[0].printed, with: args[1].printed))
        case "split":
            if let sep = args.first, case .string(let x) = sep {
                return .list(s.components(separatedBy: x).map { .string($0) })
            }
            return .list(s.split(whereSeparator: { $0.isWhitespace }).map { .string(String($0)) })
        case "join": return .string(try (args.first?.iterate() ?? []).map(\.printed).joined(separator: s))
        case "find": return .int(s.range(of: args.first?.printed ?? "").map { s.distance(from: s.startIndex, to: $0.lowerBound) } ?? -1)
        case "count": return .int(max(0, s.components(separatedBy: args.first?.printed ?? "").count - 1))
        default: throw ChatTemplateError.runtime("unsupported string method '\(name)'")
        }
    }

    /// transformers' `tojson`: `json.dumps(x, ensure_ascii=False)` (separators ", " and ": ").
    static func toJSON(_ v: JinjaValue, indent: Int?, level: Int) -> String {
        switch v {
        case .undefined, .none: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? JinjaValue.pythonFloat(d) : (d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity"))
        case .string(let s): return jsonString(s)
        case .list(let a):
            if a.isEmpty { return "[]" }
            if let n = indent {
                let pad = String(repeating: " ", count: n * (level + 1))
                return "[\n" + a.map { pad + toJSON($0, indent: indent, level: level + 1) }.joined(separator: ",\n")
                    + "\n" + String(repeating: " ", count: n * level) + "]"
            }
            return "[" + a.map { toJSON($0, indent: nil, level: 0) }.joined(separator: ", ") + "]"
        case .dict(let d):
            if d.keys.isEmpty { return "{}" }
            if let n = indent {
                let pad = String(repeating: " ", count: n * (level + 1))
                return "{\n" + d.keys.map { pad + jsonString($0) + ": " + toJSON(d.map[$0]!, indent: indent, level: level + 1) }
                    .joined(separator: ",\n") + "\n" + String(repeating: " ", count: n * level) + "}"
            }
            return "{" + d.keys.map { jsonString($0) + ": " + toJSON(d.map[$0]!, indent: nil, level: 0) }.joined(separator: ", ") + "}"
        case .namespace(let ns): return toJSON(.dict(ns.values), indent: indent, level: level)
        default: return "null"
        }
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// A subset of C `strftime` (%Y %m %d %B %b %H %M %S %%), in UTC.
    static func strftime(_ fmt: String, _ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"]
        var out = ""
        var it = fmt.makeIterator()
        while let ch = it.next() {
            guard ch == "%", let f = it.next() else { out.append(ch); continue }
            switch f {
            case "Y": out += String(c.year ?? 0)
            case "m": out += String(format: "%02d", c.month ?? 0)
            case "d": out += String(format: "%02d", c.day ?? 0)
            case "H": out += String(format: "%02d", c.hour ?? 0)
            case "M": out += String(format: "%02d", c.minute ?? 0)
            case "S": out += String(format: "%02d", c.second ?? 0)
            case "B": out += months[(c.month ?? 1) - 1]
            case "b": out += String(months[(c.month ?? 1) - 1].prefix(3))
            case "%": out += "%"
            default: out += "%" + String(f)
            }
        }
        return out
    }
}
