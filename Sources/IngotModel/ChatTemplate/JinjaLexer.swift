/// Splits a Jinja template into text and tags, applying whitespace control the way transformers' chat
/// template environment does (`trim_blocks=True`, `lstrip_blocks=True`, plus `-` markers), then tokenizes
/// the inside of each tag.
enum JinjaSegment: Equatable {
    case text(String)
    /// `{{ … }}`
    case output([JinjaToken], line: Int)
    /// `{% … %}`
    case statement([JinjaToken], line: Int)
}

enum JinjaToken: Equatable {
    case name(String)
    case string(String)
    case int(Int)
    case double(Double)
    case op(String)
}

struct JinjaLexer {
    let s: [Unicode.Scalar]

    init(_ template: String) { s = Array(template.unicodeScalars) }

    func segments() throws -> [JinjaSegment] {
        var out: [JinjaSegment] = []
        var text: [Unicode.Scalar] = []
        var i = 0
        var line = 1
        var stripNextText = false   // a `-` on the previous tag's right
        var trimNextNewline = false // trim_blocks after `%}` / `#}`
        var lineStarting = true
        func flushText() {
            if !text.isEmpty { out.append(.text(String(String.UnicodeScalarView(text)))) }
            text.removeAll()
        }
        while i < s.count {
            let c = s[i]
            if c == "{", i + 1 < s.count, s[i + 1] == "{" || s[i + 1] == "%" || s[i + 1] == "#" {
                let kind = s[i + 1]
                var j = i + 2
                var leftStrip = false, plus = false
                if j < s.count && s[j] == "-" { leftStrip = true; j += 1 } else if j < s.count && s[j] == "+" { plus = true; j += 1 }
                // lstrip_blocks (jinja2 lexer): whitespace between the start of a line and a block or comment
                // tag goes; "start of a line" is after a newline in this text run, or the run itself starts a
                // line (template start, or the previous tag's match ended with a newline).
                if kind != "{" && !plus && !leftStrip {
                    var k = text.count
                    while k > 0 && text[k - 1] != "\n" { k -= 1 }
                    if (k > 0 || lineStarting) && text[k...].allSatisfy({ $0.properties.isWhitespace }) {
                        text.removeLast(text.count - k)
                    }
                }
                if leftStrip { while let l = text.last, l.properties.isWhitespace { text.removeLast() } }
                flushText()
                let close: Unicode.Scalar = kind == "{" ? "}" : (kind == "%" ? "%" : "#")
                // Find the closing delimiter (outside string literals for expressions and statements).
                var k = j
                var quote: Unicode.Scalar? = nil
                var end = -1
                while k + 1 < s.count {
                    let x = s[k]
                    if kind != "#" {
                        if let q = quote {
                            if x == "\\" { k += 2; continue }
                            if x == q { quote = nil }
                            k += 1; continue
                        }
                        if x == "'" || x == "\"" { quote = x; k += 1; continue }
                    }
                    if x == close && s[k + 1] == "}" { end = k; break }
                    if x == "-" && k + 2 < s.count && s[k + 1] == close && s[k + 2] == "}" { end = k; break }
                    k += 1
                }
                guard end >= 0 else { throw ChatTemplateError.syntax(line: line, message: "unclosed tag") }
                let rightStrip = s[end] == "-"
                let inner = Array(s[j..<end])
                let closeEnd = end + (rightStrip ? 3 : 2)
                for x in s[i..<closeEnd] where x == "\n" { line += 1 }
                switch kind {
                case "{": out.append(.output(try tokenize(inner, line: line), line: line))
                case "%": out.append(.statement(try tokenize(inner, line: line), line: line))
                default: break
                }
                stripNextText = rightStrip
                trimNextNewline = kind != "{" && !rightStrip
                i = closeEnd
                lineStarting = false
                if stripNextText {
                    while i < s.count && s[i].properties.isWhitespace {
                        lineStarting = s[i] == "\n"
                        if s[i] == "\n" { line += 1 }
                        i += 1
                    }
                } else if trimNextNewline && i < s.count && s[i] == "\n" {
                    i += 1; line += 1
                    lineStarting = true
                }
                continue
            }
            if c == "\n" { line += 1 }
            text.append(c)
            i += 1
        }
        flushText()
        return out
    }

    // MARK: - Tokens inside a tag

    func tokenize(_ t: [Unicode.Scalar], line: Int) throws -> [JinjaToken] {
        var out: [JinjaToken] = []
        var i = 0
        let two: Set<String> = ["==", "!=", "<=", ">=", "//", "**"]
        while i < t.count {
            let c = t[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "'" || c == "\"" {
                var v = String.UnicodeScalarView()
                var k = i + 1
                while k < t.count && t[k] != c {
                    if t[k] == "\\", k + 1 < t.count {
                        k += 1
                        switch t[k] {
                        case "n": v.append("\n")
                        case "t": v.append("\t")
                        case "r": v.append("\r")
                        case "\\": v.append("\\")
                        case "'": v.append("'")
                        case "\"": v.append("\"")
                        case "u" where k + 4 < t.count:
                            let hex = String(String.UnicodeScalarView(t[(k + 1)...(k + 4)]))
                            if let x = UInt32(hex, radix: 16), let u = Unicode.Scalar(x) { v.append(u); k += 4 } else {
                                v.append("\\"); v.append("u")
                            }
                        default: v.append("\\"); v.append(t[k])
                        }
                    } else {
                        v.append(t[k])
                    }
                    k += 1
                }
                guard k < t.count else { throw ChatTemplateError.syntax(line: line, message: "unterminated string") }
                out.append(.string(String(v)))
                i = k + 1
                continue
            }
            if c.properties.numericType != nil && c.isASCII {
                var k = i
                while k < t.count && t[k].isASCII && t[k].properties.numericType != nil { k += 1 }
                var isFloat = false
                if k + 1 < t.count && t[k] == "." && t[k + 1].isASCII && t[k + 1].properties.numericType != nil {
                    isFloat = true
                    k += 1
                    while k < t.count && t[k].isASCII && t[k].properties.numericType != nil { k += 1 }
                }
                let lit = String(String.UnicodeScalarView(t[i..<k]))
                out.append(isFloat ? .double(Double(lit) ?? 0) : .int(Int(lit) ?? 0))
                i = k
                continue
            }
            if c == "_" || c.properties.isAlphabetic {
                var k = i
                while k < t.count && (t[k] == "_" || t[k].properties.isAlphabetic || (t[k].isASCII && t[k].properties.numericType != nil)) { k += 1 }
                out.append(.name(String(String.UnicodeScalarView(t[i..<k]))))
                i = k
                continue
            }
            if i + 1 < t.count {
                let pair = String(String.UnicodeScalarView([c, t[i + 1]]))
                if two.contains(pair) { out.append(.op(pair)); i += 2; continue }
            }
            guard "+-*/%~|.,:()[]{}<>=!".unicodeScalars.contains(c) else {
                throw ChatTemplateError.syntax(line: line, message: "unexpected character '\(c)'")
            }
            out.append(.op(String(c)))
            i += 1
        }
        return out
    }
}
