/// Jinja expressions and statements, as parsed.
indirect enum JinjaExpr {
    case literal(JinjaValue)
    case name(String)
    case attribute(JinjaExpr, String)
    case item(JinjaExpr, JinjaExpr)
    case slice(JinjaExpr, JinjaExpr?, JinjaExpr?, JinjaExpr?)
    case call(JinjaExpr, [JinjaExpr], [(String, JinjaExpr)])
    case filter(JinjaExpr, String, [JinjaExpr], [(String, JinjaExpr)])
    case test(JinjaExpr, String, [JinjaExpr], negated: Bool)
    case unary(String, JinjaExpr)
    case binary(String, JinjaExpr, JinjaExpr)
    case conditional(JinjaExpr, test: JinjaExpr, otherwise: JinjaExpr?)
    case list([JinjaExpr])
    case dict([(JinjaExpr, JinjaExpr)])
}

indirect enum JinjaNode {
    case text(String)
    case output(JinjaExpr)
    case ifChain([(JinjaExpr, [JinjaNode])], otherwise: [JinjaNode])
    case forLoop(targets: [String], iterable: JinjaExpr, condition: JinjaExpr?, body: [JinjaNode], otherwise: [JinjaNode])
    case set(target: [String], attribute: String?, JinjaExpr)
    case setBlock(name: String, body: [JinjaNode])
    case macro(name: String, parameters: [(String, JinjaExpr?)], body: [JinjaNode])
    case breakLoop, continueLoop
}

/// Recursive-descent parser following jinja2's grammar and precedence (`parse_condexpr` … `parse_primary`).
struct JinjaParser {
    /// Deepest nesting of block statements (if/for/set/macro) a template may have: templates come from model files,
    /// and each level is a recursion here and in the interpreter.
    static let maxNesting = 64
    private var segments: [JinjaSegment]
    private var pos = 0
    private var nesting = 0

    init(_ segments: [JinjaSegment]) { self.segments = segments }

    mutating func parseTemplate() throws -> [JinjaNode] {
        let (body, end) = try parseBody(until: [])
        if let end { throw ChatTemplateError.syntax(line: end.line, message: "unexpected '\(end.keyword)'") }
        return body
    }

    /// Parses nodes until a statement whose keyword is in `until`; returns it (tokens after the keyword).
    private mutating func parseBody(until: Set<String>) throws -> ([JinjaNode], (keyword: String, rest: [JinjaToken], line: Int)?) {
        var nodes: [JinjaNode] = []
        while pos < segments.count {
            let seg = segments[pos]
            pos += 1
            switch seg {
            case .text(let t): nodes.append(.text(t))
            case .output(let toks, let line):
                var e = ExprParser(toks, line: line)
                nodes.append(.output(try e.parseAll()))
            case .statement(let toks, let line):
                guard case .name(let kw)? = toks.first else { throw ChatTemplateError.syntax(line: line, message: "empty statement") }
                let rest = Array(toks.dropFirst())
                if until.contains(kw) { return (nodes, (kw, rest, line)) }
                nodes.append(try parseStatement(kw, rest, line: line))
            }
        }
        if !until.isEmpty {
            throw ChatTemplateError.syntax(line: 0, message: "missing one of: \(until.sorted().joined(separator: ", "))")
        }
        return (nodes, nil)
    }

    private mutating func parseStatement(_ kw: String, _ toks: [JinjaToken], line: Int) throws -> JinjaNode {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maxNesting else {
            throw ChatTemplateError.syntax(line: line, message: "blocks nested deeper than \(Self.maxNesting) levels")
        }
        switch kw {
        case "if":
            var e = ExprParser(toks, line: line)
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var cond = try e.parseAll()
            while true {
                let (body, end) = try parseBody(until: ["elif", "else", "endif"])
                branches.append((cond, body))
                guard let end else { throw ChatTemplateError.syntax(line: line, message: "missing endif") }
                if end.keyword == "elif" {
                    var p = ExprParser(end.rest, line: end.line)
                    cond = try p.parseAll()
                } else if end.keyword == "else" {
                    let (other, fin) = try parseBody(until: ["endif"])
                    guard fin != nil else { throw ChatTemplateError.syntax(line: line, message: "missing endif") }
                    return .ifChain(branches, otherwise: other)
                } else {
                    return .ifChain(branches, otherwise: [])
                }
            }
        case "for":
            var targets: [String] = []
            var i = 0
            while i < toks.count {
                if case .name(let n) = toks[i], n != "in" { targets.append(n) } else if toks[i] == .name("in") { break }
                i += 1
            }
            guard i < toks.count, !targets.isEmpty else { throw ChatTemplateError.syntax(line: line, message: "bad for loop") }
            var e = ExprParser(Array(toks[(i + 1)...]), line: line)
            let iterable = try e.parseTernaryFree()
            var condition: JinjaExpr? = nil
            if e.accept(.name("if")) { condition = try e.parseTernaryFree() }
            try e.expectEnd()
            let (body, end) = try parseBody(until: ["else", "endfor"])
            var other: [JinjaNode] = []
            if end?.keyword == "else" {
                let (o, fin) = try parseBody(until: ["endfor"])
                guard fin != nil else { throw ChatTemplateError.syntax(line: line, message: "missing endfor") }
                other = o
            }
            return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: other)
        case "set":
            guard case .name(let first)? = toks.first else { throw ChatTemplateError.syntax(line: line, message: "bad set") }
            var i = 1
            var attribute: String? = nil
            var targets = [first]
            if i < toks.count, toks[i] == .op("."), i + 1 < toks.count, case .name(let a) = toks[i + 1] {
                attribute = a
                i += 2
            }
            while i + 1 < toks.count, toks[i] == .op(","), case .name(let n) = toks[i + 1] { targets.append(n); i += 2 }
            if i == toks.count {
                let (body, end) = try parseBody(until: ["endset"])
                guard end != nil else { throw ChatTemplateError.syntax(line: line, message: "missing endset") }
                return .setBlock(name: first, body: body)
            }
            guard toks[i] == .op("=") else { throw ChatTemplateError.syntax(line: line, message: "expected '=' in set") }
            var e = ExprParser(Array(toks[(i + 1)...]), line: line)
            return .set(target: targets, attribute: attribute, try e.parseAll())
        case "macro":
            guard case .name(let name)? = toks.first, toks.count >= 3, toks[1] == .op("(") else {
                throw ChatTemplateError.syntax(line: line, message: "bad macro")
            }
            var e = ExprParser(Array(toks[2...]), line: line)
            var params: [(String, JinjaExpr?)] = []
            while !e.accept(.op(")")) {
                guard case .name(let p)? = e.next() else { throw ChatTemplateError.syntax(line: line, message: "bad macro parameter") }
                var def: JinjaExpr? = nil
                if e.accept(.op("=")) { def = try e.parseExpression() }
                params.append((p, def))
                _ = e.accept(.op(","))
            }
            let (body, end) = try parseBody(until: ["endmacro"])
            guard end != nil else { throw ChatTemplateError.syntax(line: line, message: "missing endmacro") }
            return .macro(name: name, parameters: params, body: body)
        case "break": return .breakLoop
        case "continue": return .continueLoop
        default:
            throw ChatTemplateError.syntax(line: line, message: "unsupported statement '\(kw)'")
        }
    }
}

/// Expression parser over one tag's tokens.
struct ExprParser {
    /// Deepest expression tree a tag may build (nesting, operator chains, postfix and filter chains all count):
    /// the interpreter evaluates, and Swift frees, the tree recursively.
    static let maxDepth = 256
    private let t: [JinjaToken]
    private var i = 0
    private var depth = 0
    let line: Int

    /// One level deeper; throws past `maxDepth`. Callers restore `depth` on exit.
    private mutating func descend() throws {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw ChatTemplateError.syntax(line: line, message: "expression nested deeper than \(Self.maxDepth) levels")
        }
    }

    init(_ tokens: [JinjaToken], line: Int) { t = tokens; self.line = line }

    mutating func next() -> JinjaToken? { i < t.count ? { i += 1; return t[i - 1] }() : nil }
    func peek(_ k: Int = 0) -> JinjaToken? { i + k < t.count ? t[i + k] : nil }
    mutating func accept(_ tok: JinjaToken) -> Bool {
        if peek() == tok { i += 1; return true }
        return false
    }
    mutating func expect(_ tok: JinjaToken) throws {
        guard accept(tok) else { throw ChatTemplateError.syntax(line: line, message: "expected \(tok)") }
    }
    func expectEnd() throws {
        if i < t.count { throw ChatTemplateError.syntax(line: line, message: "unexpected \(t[i])") }
    }

    mutating func parseAll() throws -> JinjaExpr {
        let e = try parseExpression()
        try expectEnd()
        return e
    }

    /// `a if b else c` (jinja2 `parse_condexpr`).
    mutating func parseExpression() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        try descend()
        var e = try parseOr()
        while accept(.name("if")) {
            try descend()
            let test = try parseOr()
            var other: JinjaExpr? = nil
            if accept(.name("else")) { other = try parseExpression() }
            e = .conditional(e, test: test, otherwise: other)
        }
        return e
    }

    /// For-loop iterables cannot use the inline `if` (it is the loop filter there).
    mutating func parseTernaryFree() throws -> JinjaExpr { try parseOr() }

    private mutating func parseOr() throws -> JinjaExpr {
        var e = try parseAnd()
        let saved = depth
        defer { depth = saved }
        while accept(.name("or")) { try descend(); e = .binary("or", e, try parseAnd()) }
        return e
    }

    private mutating func parseAnd() throws -> JinjaExpr {
        var e = try parseNot()
        let saved = depth
        defer { depth = saved }
        while accept(.name("and")) { try descend(); e = .binary("and", e, try parseNot()) }
        return e
    }

    private mutating func parseNot() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        if accept(.name("not")) { try descend(); return .unary("not", try parseNot()) }
        return try parseCompare()
    }

    private mutating func parseCompare() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        var e = try parseMath1()
        while true {
            try descend()
            if let tok = peek(), case .op(let o) = tok, ["==", "!=", "<", ">", "<=", ">="].contains(o) {
                i += 1
                e = .binary(o, e, try parseMath1())
            } else if accept(.name("in")) {
                e = .binary("in", e, try parseMath1())
            } else if peek() == .name("not") && peek(1) == .name("in") {
                i += 2
                e = .binary("notin", e, try parseMath1())
            } else {
                return e
            }
        }
    }

    private mutating func parseMath1() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        var e = try parseConcat()
        while let tok = peek(), case .op(let o) = tok, o == "+" || o == "-" {
            i += 1
            try descend()
            e = .binary(o, e, try parseConcat())
        }
        return e
    }

    private mutating func parseConcat() throws -> JinjaExpr {
        var e = try parseMath2()
        let saved = depth
        defer { depth = saved }
        while accept(.op("~")) { try descend(); e = .binary("~", e, try parseMath2()) }
        return e
    }

    private mutating func parseMath2() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        var e = try parsePow()
        while let tok = peek(), case .op(let o) = tok, ["*", "/", "//", "%"].contains(o) {
            i += 1
            try descend()
            e = .binary(o, e, try parsePow())
        }
        return e
    }

    private mutating func parsePow() throws -> JinjaExpr {
        var e = try parseUnary()
        let saved = depth
        defer { depth = saved }
        while accept(.op("**")) { try descend(); e = .binary("**", e, try parseUnary()) }
        return e
    }

    private mutating func parseUnary() throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        try descend()
        if accept(.op("-")) { return try parseFilterExpr(parsePostfix(.unary("-", try parseUnary()))) }
        if accept(.op("+")) { return try parseFilterExpr(parsePostfix(try parseUnary())) }
        return try parseFilterExpr(parsePostfix(try parsePrimary()))
    }

    private mutating func parsePrimary() throws -> JinjaExpr {
        guard let tok = next() else { throw ChatTemplateError.syntax(line: line, message: "unexpected end of expression") }
        switch tok {
        case .string(var s):
            // Adjacent string literals concatenate.
            while case .string(let more)? = peek() { s += more; i += 1 }
            return .literal(.string(s))
        case .int(let v): return .literal(.int(v))
        case .double(let v): return .literal(.double(v))
        case .name(let n):
            switch n {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(n)
            }
        case .op("("):
            if accept(.op(")")) { return .list([]) }
            let e = try parseExpression()
            if accept(.op(",")) {
                var items = [e]
                while !accept(.op(")")) {
                    items.append(try parseExpression())
                    if !accept(.op(",")) { try expect(.op(")")); break }
                }
                return .list(items)
            }
            try expect(.op(")"))
            return e
        case .op("["):
            var items: [JinjaExpr] = []
            while !accept(.op("]")) {
                items.append(try parseExpression())
                if !accept(.op(",")) { try expect(.op("]")); break }
            }
            return .list(items)
        case .op("{"):
            var pairs: [(JinjaExpr, JinjaExpr)] = []
            while !accept(.op("}")) {
                let k = try parseExpression()
                try expect(.op(":"))
                pairs.append((k, try parseExpression()))
                if !accept(.op(",")) { try expect(.op("}")); break }
            }
            return .dict(pairs)
        default:
            throw ChatTemplateError.syntax(line: line, message: "unexpected \(tok)")
        }
    }

    private mutating func parsePostfix(_ base: JinjaExpr) throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        var e = base
        while true {
            try descend()
            if accept(.op(".")) {
                guard case .name(let n)? = next() else { throw ChatTemplateError.syntax(line: line, message: "expected a name after '.'") }
                e = .attribute(e, n)
            } else if accept(.op("[")) {
                var parts: [JinjaExpr?] = [nil]
                var isSlice = false
                while !accept(.op("]")) {
                    if accept(.op(":")) { isSlice = true; parts.append(nil); continue }
                    parts[parts.count - 1] = try parseExpression()
                }
                if isSlice {
                    while parts.count < 3 { parts.append(nil) }
                    e = .slice(e, parts[0], parts[1], parts[2])
                } else {
                    guard let k = parts[0] else { throw ChatTemplateError.syntax(line: line, message: "empty subscript") }
                    e = .item(e, k)
                }
            } else if peek() == .op("(") {
                i += 1
                let (a, k) = try parseArguments()
                e = .call(e, a, k)
            } else {
                return e
            }
        }
    }

    private mutating func parseArguments() throws -> ([JinjaExpr], [(String, JinjaExpr)]) {
        var args: [JinjaExpr] = []
        var kwargs: [(String, JinjaExpr)] = []
        while !accept(.op(")")) {
            if case .name(let n)? = peek(), peek(1) == .op("=") {
                i += 2
                kwargs.append((n, try parseExpression()))
            } else {
                args.append(try parseExpression())
            }
            if !accept(.op(",")) { try expect(.op(")")); break }
        }
        return (args, kwargs)
    }

    private mutating func parseFilterExpr(_ base: JinjaExpr) throws -> JinjaExpr {
        let saved = depth
        defer { depth = saved }
        var e = base
        while true {
            try descend()
            if accept(.op("|")) {
                guard case .name(let n)? = next() else { throw ChatTemplateError.syntax(line: line, message: "expected a filter name") }
                var a: [JinjaExpr] = [], k: [(String, JinjaExpr)] = []
                if accept(.op("(")) { (a, k) = try parseArguments() }
                e = try parsePostfix(.filter(e, n, a, k))
            } else if accept(.name("is")) {
                let negated = accept(.name("not"))
                guard case .name(let n)? = next() else { throw ChatTemplateError.syntax(line: line, message: "expected a test name") }
                var a: [JinjaExpr] = []
                if accept(.op("(")) { a = try parseArguments().0 } else if let tok = peek(), Self.startsArgument(tok) {
                    a = [try parsePrimary()]
                }
                e = .test(e, n, a, negated: negated)
            } else {
                return e
            }
        }
    }

    /// A test's single bare argument (`x is divisibleby 3`, `x is sameas none`).
    private static func startsArgument(_ tok: JinjaToken) -> Bool {
        switch tok {
        case .string, .int, .double: return true
        default: return false
        }
    }
}
