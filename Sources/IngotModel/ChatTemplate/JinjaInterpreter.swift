import Foundation

/// Renders parsed Jinja nodes with jinja2's scoping: `for` bodies and macros get their own scope (so `set`
/// inside a loop does not leak; `namespace()` objects carry state out), `if` does not.
final class JinjaInterpreter {
    private var frames: [[String: JinjaValue]]
    private var depth = 0
    /// `strftime_now(format)`; injectable so tests are reproducible.
    var now: () -> Date = Date.init

    init(globals: [String: JinjaValue]) { frames = [globals] }

    private enum Flow { case normal, breakLoop, continueLoop }

    func render(_ nodes: [JinjaNode]) throws -> String {
        var out = ""
        _ = try run(nodes, &out)
        return out
    }

    private func lookup(_ name: String) -> JinjaValue {
        for f in frames.reversed() { if let v = f[name] { return v } }
        switch name {
        case "range", "namespace", "raise_exception", "strftime_now", "dict": return .function(name)
        default: return .undefined
        }
    }

    private func assign(_ name: String, _ v: JinjaValue) { frames[frames.count - 1][name] = v }

    private func run(_ nodes: [JinjaNode], _ out: inout String) throws -> Flow {
        for n in nodes {
            switch n {
            case .text(let t): out += t
            case .output(let e): out += try eval(e).printed
            case .ifChain(let branches, let other):
                var done = false
                for (c, body) in branches where try eval(c).truthy {
                    let f = try run(body, &out)
                    if f != .normal { return f }
                    done = true
                    break
                }
                if !done {
                    let f = try run(other, &out)
                    if f != .normal { return f }
                }
            case .forLoop(let targets, let iterable, let condition, let body, let other):
                try runFor(targets, iterable, condition, body, other, &out)
            case .set(let targets, let attribute, let e):
                let v = try eval(e)
                if let attribute {
                    guard case .namespace(let ns) = lookup(targets[0]) else {
                        throw ChatTemplateError.runtime("cannot set attribute '\(attribute)' on '\(targets[0])'")
                    }
                    ns.values.set(attribute, v)
                } else if targets.count == 1 {
                    assign(targets[0], v)
                } else {
                    let items = try v.iterate()
                    guard items.count == targets.count else { throw ChatTemplateError.runtime("cannot unpack \(items.count) values") }
                    for (t, x) in zip(targets, items) { assign(t, x) }
                }
            case .setBlock(let name, let body):
                var s = ""
                _ = try run(body, &s)
                assign(name, .string(s))
            case .macro(let name, let params, let body):
                assign(name, .macro(JinjaMacro(name: name, parameters: params, body: body)))
            case .breakLoop: return .breakLoop
            case .continueLoop: return .continueLoop
            }
        }
        return .normal
    }

    private func runFor(_ targets: [String], _ iterable: JinjaExpr, _ condition: JinjaExpr?, _ body: [JinjaNode],
                        _ other: [JinjaNode], _ out: inout String) throws {
        var items = try eval(iterable).iterate()
        if let condition {
            var kept: [JinjaValue] = []
            frames.append([:])
            defer { frames.removeLast() }
            for x in items {
                try bind(targets, x)
                if try eval(condition).truthy { kept.append(x) }
            }
            items = kept
        }
        if items.isEmpty { _ = try run(other, &out); return }
        frames.append([:])
        defer { frames.removeLast() }
        let n = items.count
        for (i, x) in items.enumerated() {
            frames[frames.count - 1] = [:]
            try bind(targets, x)
            var loop = JinjaDict()
            loop.set("index", .int(i + 1)); loop.set("index0", .int(i))
            loop.set("revindex", .int(n - i)); loop.set("revindex0", .int(n - i - 1))
            loop.set("first", .bool(i == 0)); loop.set("last", .bool(i == n - 1)); loop.set("length", .int(n))
            loop.set("previtem", i > 0 ? items[i - 1] : .undefined)
            loop.set("nextitem", i + 1 < n ? items[i + 1] : .undefined)
            assign("loop", .dict(loop))
            let f = try run(body, &out)
            if f == .breakLoop { break }
        }
    }

    private func bind(_ targets: [String], _ x: JinjaValue) throws {
        if targets.count == 1 { assign(targets[0], x); return }
        let parts = try x.iterate()
        guard parts.count == targets.count else { throw ChatTemplateError.runtime("cannot unpack \(parts.count) values into \(targets.count)") }
        for (t, p) in zip(targets, parts) { assign(t, p) }
    }

    // MARK: - Expressions

    func eval(_ e: JinjaExpr) throws -> JinjaValue {
        switch e {
        case .literal(let v): return v
        case .name(let n): return lookup(n)
        case .attribute(let b, let name): return try attribute(try eval(b), name)
        case .item(let b, let k): return try item(try eval(b), try eval(k))
        case .slice(let b, let lo, let hi, let step):
            return try slice(try eval(b), try lo.map(eval), try hi.map(eval), try step.map(eval))
        case .call(let f, let a, let k):
            return try call(try eval(f), try a.map(eval), try k.map { ($0.0, try eval($0.1)) })
        case .filter(let b, let name, let a, let k):
            return try JinjaFilters.apply(name, try eval(b), try a.map(eval), try k.map { ($0.0, try eval($0.1)) })
        case .test(let b, let name, let a, let negated):
            let r = try JinjaFilters.test(name, try eval(b), try a.map(eval))
            return .bool(negated ? !r : r)
        case .unary(let op, let x):
            let v = try eval(x)
            if op == "not" { return .bool(!v.truthy) }
            if case .int(let i) = v { return .int(-i) }
            if let d = v.number { return .double(-d) }
            throw ChatTemplateError.runtime("bad operand for unary -: \(v.repr)")
        case .binary(let op, let l, let r):
            if op == "and" { let a = try eval(l); return a.truthy ? try eval(r) : a }
            if op == "or" { let a = try eval(l); return a.truthy ? a : try eval(r) }
            return try binary(op, try eval(l), try eval(r))
        case .conditional(let v, let test, let other):
            if try eval(test).truthy { return try eval(v) }
            return try other.map(eval) ?? .undefined
        case .list(let items): return .list(try items.map(eval))
        case .dict(let pairs):
            var d = JinjaDict()
            for (k, v) in pairs { d.set(try eval(k).printed, try eval(v)) }
            return .dict(d)
        }
    }

    private func attribute(_ v: JinjaValue, _ name: String) throws -> JinjaValue {
        switch v {
        case .dict(let d):
            if ["items", "keys", "values", "get"].contains(name) { return .method(JinjaBox(v), name) }
            return d[name] ?? .undefined
        case .namespace(let ns): return ns.values[name] ?? .undefined
        case .string:
            return JinjaFilters.stringMethods.contains(name) ? .method(JinjaBox(v), name) : .undefined
        case .list:
            if name == "append" || name == "pop" {
                throw ChatTemplateError.runtime("lists are immutable in chat templates (\(name))")
            }
            return .undefined
        default: return .undefined
        }
    }

    private func item(_ v: JinjaValue, _ k: JinjaValue) throws -> JinjaValue {
        switch (v, k) {
        case (.dict(let d), _): return d[k.printed] ?? .undefined
        case (.namespace(let ns), _): return ns.values[k.printed] ?? .undefined
        case (.list(let a), .int(var i)):
            if i < 0 { i += a.count }
            return i >= 0 && i < a.count ? a[i] : .undefined
        case (.string(let s), .int(var i)):
            let u = Array(s)
            if i < 0 { i += u.count }
            return i >= 0 && i < u.count ? .string(String(u[i])) : .undefined
        default: return .undefined
        }
    }

    private func slice(_ v: JinjaValue, _ lo: JinjaValue?, _ hi: JinjaValue?, _ step: JinjaValue?) throws -> JinjaValue {
        func indices(_ n: Int) throws -> [Int] {
            var st = 1
            if let s = step, case .int(let x) = s { st = x }
            guard st != 0 else { throw ChatTemplateError.runtime("slice step cannot be zero") }
            func norm(_ x: JinjaValue?, _ def: Int) -> Int {
                guard let x, case .int(var i) = x else { return def }
                if i < 0 { i += n }
                return st > 0 ? min(max(i, 0), n) : min(max(i, -1), n - 1)
            }
            let a = norm(lo, st > 0 ? 0 : n - 1), b = norm(hi, st > 0 ? n : -1)
            return Array(stride(from: a, to: b, by: st))
        }
        switch v {
        case .list(let arr): return .list(try indices(arr.count).map { arr[$0] })
        case .string(let s):
            let c = Array(s)
            return .string(String(try indices(c.count).map { c[$0] }))
        case .undefined, .none: return .undefined
        default: throw ChatTemplateError.runtime("cannot slice \(v.repr)")
        }
    }

    private func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue) throws -> JinjaValue {
        switch op {
        case "==": return .bool(JinjaValue.equal(a, b))
        case "!=": return .bool(!JinjaValue.equal(a, b))
        case "in", "notin":
            let r: Bool
            switch b {
            case .string(let s): r = s.contains(a.printed) && { if case .string = a { return true }; return false }()
            case .list(let l): r = l.contains { JinjaValue.equal($0, a) }
            case .dict(let d): r = d[a.printed] != nil
            case .namespace(let ns): r = ns.values[a.printed] != nil
            case .undefined, .none: r = false
            default: throw ChatTemplateError.runtime("argument of type \(b.repr) is not iterable")
            }
            return .bool(op == "in" ? r : !r)
        case "~": return .string(a.printed + b.printed)
        case "<", ">", "<=", ">=":
            let c: Int
            if let x = a.number, let y = b.number { c = x < y ? -1 : (x > y ? 1 : 0) } else if case .string(let x) = a, case .string(let y) = b {
                c = x < y ? -1 : (x > y ? 1 : 0)
            } else {
                throw ChatTemplateError.runtime("cannot compare \(a.repr) and \(b.repr)")
            }
            switch op {
            case "<": return .bool(c < 0)
            case ">": return .bool(c > 0)
            case "<=": return .bool(c <= 0)
            default: return .bool(c >= 0)
            }
        case "+":
            switch (a, b) {
            case (.string(let x), .string(let y)): return .string(x + y)
            case (.list(let x), .list(let y)): return .list(x + y)
            case (.int(let x), .int(let y)): return .int(x &+ y)
            default:
                if let x = a.number, let y = b.number { return .double(x + y) }
                throw ChatTemplateError.runtime("unsupported operand types for +: \(a.repr) and \(b.repr)")
            }
        case "-", "*", "/", "//", "%", "**":
            if op == "*", case .string(let s) = a, case .int(let n) = b {
                // Templates come from model files: the repeated string is capped at 16 MiB rather than exhausting memory.
                let count = max(0, min(n, 1_000_000))
                guard count <= (16 << 20) / max(1, s.utf8.count) else {
                    throw ChatTemplateError.runtime("string repetition of \(s.utf8.count) bytes × \(n) exceeds 16 MiB")
                }
                return .string(String(repeating: s, count: count))
            }
            if case .int(let x) = a, case .int(let y) = b, op != "/" {
                switch op {
                case "-": return .int(x &- y)
                case "*": return .int(x &* y)
                case "//", "%":
                    // Python's floor division and modulo, exact on Int; Int.min // -1 overflows Int and becomes a float.
                    guard y != 0 else { throw ChatTemplateError.runtime("division by zero") }
                    let (q, overflow) = x.dividedReportingOverflow(by: y)
                    if overflow { return op == "//" ? .double((Double(x) / Double(y)).rounded(.down)) : .int(0) }
                    let r = x - q * y
                    let adjust = r != 0 && (r < 0) != (y < 0)
                    return op == "//" ? .int(adjust ? q - 1 : q) : .int(adjust ? r + y : r)
                default: return .double(pow(Double(x), Double(y)))
                }
            }
            guard let x = a.number, let y = b.number else { throw ChatTemplateError.runtime("unsupported operands for \(op)") }
            switch op {
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            case "/": guard y != 0 else { throw ChatTemplateError.runtime("division by zero") }; return .double(x / y)
            case "//": return .double((x / y).rounded(.down))
            case "%": return .double(x - y * (x / y).rounded(.down))
            default: return .double(pow(x, y))
            }
        default: throw ChatTemplateError.runtime("unknown operator \(op)")
        }
    }

    // MARK: - Calls

    private func call(_ f: JinjaValue, _ args: [JinjaValue], _ kwargs: [(String, JinjaValue)]) throws -> JinjaValue {
        switch f {
        case .macro(let m):
            depth += 1
            defer { depth -= 1 }
            guard depth < 100 else { throw ChatTemplateError.runtime("macro recursion too deep in '\(m.name)'") }
            var scope: [String: JinjaValue] = [:]
            for (i, (p, def)) in m.parameters.enumerated() {
                if i < args.count { scope[p] = args[i] } else if let kv = kwargs.first(where: { $0.0 == p }) {
                    scope[p] = kv.1
                } else if let def {
                    scope[p] = try eval(def)
                } else {
                    scope[p] = .undefined
                }
            }
            // Macros see the template's globals and their arguments, not the caller's locals.
            let saved = frames
            frames = [frames[0], scope]
            defer { frames = saved }
            return .string(try render(m.body))
        case .function(let name):
            switch name {
            case "raise_exception": throw ChatTemplateError.raised(args.first?.printed ?? "")
            case "namespace", "dict":
                var d = JinjaDict()
                if case .dict(let init0)? = args.first { d = init0 }
                for (k, v) in kwargs { d.set(k, v) }
                return name == "dict" ? .dict(d) : .namespace(JinjaNamespace(d))
            case "range":
                let ints = args.compactMap { v -> Int? in if case .int(let i) = v { return i }; return nil }
                guard ints.count == args.count, !ints.isEmpty else { throw ChatTemplateError.runtime("range() takes integers") }
                let (lo, hi, st) = ints.count == 1 ? (0, ints[0], 1) : (ints[0], ints[1], ints.count > 2 ? ints[2] : 1)
                guard st != 0 else { throw ChatTemplateError.runtime("range() step cannot be zero") }
                // At most a million items, stepping with overflow checks (stride(from:to:by:) traps near Int.max).
                var r: [JinjaValue] = []
                var x = lo
                while (st > 0 ? x < hi : x > hi) && r.count < 1_000_000 {
                    r.append(.int(x))
                    let (next, o) = x.addingReportingOverflow(st)
                    if o { break }
                    x = next
                }
                return .list(r)
            case "strftime_now":
                let fmt = args.first?.printed ?? "%Y-%m-%d"
                return .string(JinjaFilters.strftime(fmt, now()))
            default: throw ChatTemplateError.runtime("unknown function \(name)")
            }
        case .method(let box, let name):
            return try JinjaFilters.method(box.value, name, args)
        default:
            throw ChatTemplateError.runtime("\(f.repr) is not callable")
        }
    }
}
