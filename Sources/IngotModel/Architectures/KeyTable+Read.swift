import IngotCore

// MARK: - Reading a row from either world

extension KeyRow {
    /// The row's value in a decoded config.json, nil when absent (no default applied). `aliases` adds the
    /// spellings only inference accepts. Type and range errors name the file and the key.
    public func read(_ c: ModelConfig, aliases: Bool = true) throws -> KeyValue? {
        switch config {
        case .none:
            return nil
        case .effectiveHeadDim:
            return c.effectiveHeadDim.map(KeyValue.int)
        case .ropeScalingType:
            return c.rope.writtenScalingType.map(KeyValue.string)
        case .rope(let name):
            let v = c.rope.value(name)
            if let d = v?.double, let range, !range.contains(d) {
                throw ConfigError(path: c.path, key: c.rope.keyPrefix + name, message: "\(d) is out of range \(describe(range))")
            }
            return v
        case .keys(let keys):
            let r = ConfigReader(root: c.root, path: c.path)
            return try read(r, keys: aliases ? keys + configAliases : keys)
        }
    }

    /// Reads `keys` (first present wins) as this row's type.
    func read(_ r: ConfigReader, keys: [String]) throws -> KeyValue? {
        switch type {
        case .uint32:
            guard let i = try r.int(keys, max: Int(range?.upperBound ?? Double(UInt32.max))) else { return nil }
            if let range, !range.contains(Double(i)), let k = r.first(keys)?.0 {
                throw ConfigError(path: r.path, key: r.prefix + k, message: "\(i) is out of range \(describe(range))")
            }
            return .int(i)
        case .float32:
            guard let d = try r.double(keys) else { return nil }
            if let range, !range.contains(d), let k = r.first(keys)?.0 {
                throw ConfigError(path: r.path, key: r.prefix + k, message: "\(d) is out of range \(describe(range))")
            }
            return .double(d)
        case .bool:
            return try r.bool(keys).map(KeyValue.bool)
        case .string:
            return try r.string(keys).map(KeyValue.string)
        case .intList:
            guard let (k, v) = r.first(keys), !v.isNull else { return nil }
            let max = Int(range?.upperBound ?? Double(UInt32.max))
            guard let items = v.array else { return try r.int([k], max: max).map { .ints([$0]) } }
            guard items.count <= 1 << 16 else {
                throw ConfigError(path: r.path, key: r.prefix + k, message: "has \(items.count) entries")
            }
            return .ints(try items.enumerated().map { i, e in
                guard let n = e.int, n >= 0, n <= max else {
                    throw ConfigError(path: r.path, key: "\(r.prefix)\(k)[\(i)]", message: "expected an integer in 0…\(max)")
                }
                return n
            })
        }
    }

    /// The row's value in GGUF metadata of architecture `arch`, nil when absent (no default applied).
    /// Type and range errors name `file` and the key.
    public func read(_ md: Metadata, arch: String, file: String) throws -> KeyValue? {
        guard let (key, v) = ggufEntry(md, arch: arch) else { return nil }
        func bad(_ message: String) -> ConfigError { ConfigError(path: file, key: key, message: message) }
        switch type {
        case .uint32, .intList:
            guard let i = v.intValue else {
                if type == .intList, let a = v.arrayValue {
                    return .ints(try a.map { e in
                        guard let i = e.intValue else { throw bad("expected integers") }
                        return i
                    })
                }
                throw bad("expected an integer")
            }
            if let range, !range.contains(Double(i)) { throw bad("\(i) is out of range \(describe(range))") }
            return type == .intList ? .ints([i]) : .int(i)
        case .float32:
            guard let d = v.doubleValue else { throw bad("expected a number") }
            guard d.isFinite else { throw bad("\(d) is not a finite number") }
            if let range, !range.contains(d) { throw bad("\(d) is out of range \(describe(range))") }
            return .double(d)
        case .bool:
            guard let b = v.boolValue else { throw bad("expected true or false") }
            return .bool(b)
        case .string:
            guard let s = v.stringValue else { throw bad("expected a string") }
            return .string(s)
        }
    }

    /// The key present in `md` for this row (older spellings first) and its value.
    public func ggufEntry(_ md: Metadata, arch: String) -> (String, MetadataValue)? {
        var keys: [String] = []
        if case .global(_, let also) = gguf { keys += also.map { arch + "." + $0 } }
        if let k = gguf.key(arch: arch) { keys.append(k) }
        for k in keys { if let v = md[k] { return (k, v) } }
        return nil
    }

    /// The key named in messages: the converter's first config spelling, or the full GGUF key.
    public func messageKey(gguf world: Bool, arch: String) -> String {
        world ? (gguf.key(arch: arch) ?? name.rawValue) : (messageName ?? configKeys.first ?? name.rawValue)
    }

    private func describe(_ r: ClosedRange<Double>) -> String {
        func s(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        return "\(s(r.lowerBound))…\(s(r.upperBound))"
    }
}

// MARK: - Writing convert's metadata

extension KeyTable {
    /// The `{arch}.*` keys llama.cpp's converter writes for `config`, in its order: the common rows, then
    /// `general.file_type`, then the architecture's own rows.
    public func converterMetadata(_ c: ModelConfig, arch: String, fileType: UInt32) throws -> [(String, MetadataValue)] {
        var out: [(String, MetadataValue)] = []
        for (i, row) in rows.enumerated() {
            if i == commonCount { out.append(("general.file_type", .uint32(fileType))) }
            if let kv = try row.converterEntry(c, arch: arch) { out.append(kv) }
        }
        if rows.count == commonCount { out.append(("general.file_type", .uint32(fileType))) }
        return out
    }

    /// Ingot's own keys (`ingot.*`), written after everything else.
    public func ingotMetadata(_ c: ModelConfig) throws -> [(String, MetadataValue)] {
        try rows.compactMap { row in
            guard case .ingotWhenRopeType(let t, let fallback) = row.write, c.rope.type == t,
                  let key = row.gguf.key(arch: "") else { return nil }
            return (key, .bool(try row.read(c)?.bool ?? fallback))
        }
    }
}

extension KeyRow {
    /// The (key, value) the converter writes for this row, or nil.
    func converterEntry(_ c: ModelConfig, arch: String) throws -> (String, MetadataValue)? {
        guard case .arch(let suffix) = gguf else { return nil }
        let key = arch + "." + suffix
        let value = try read(c, aliases: false)
        switch write {
        case .never, .ingotWhenRopeType:
            return nil
        case .required(let missingKey):
            guard let value else {
                throw ArchitectureError.missingParameter(path: c.path, key: missingKey ?? configKeys.first ?? suffix, arch: arch)
            }
            return (key, try encode(value, c))
        case .ifPresent:
            return try value.map { (key, try encode($0, c)) }
        case .ifFalse:
            return value?.bool == false ? (key, .bool(false)) : nil
        case .underScaling(let types):
            guard let t = c.rope.writtenScalingType, types.contains(t) else { return nil }
            return try value.map { (key, try encode($0, c)) }
        case .requiredUnderScaling(let types):
            guard let t = c.rope.writtenScalingType, types.contains(t) else { return nil }
            guard let value else {
                // llama.cpp's converter fails on the missing key here (a KeyError); say which one, where it sits.
                let field: String
                if case .rope(let n) = config { field = n } else { field = configKeys.first ?? suffix }
                throw ConfigError(path: c.path, key: c.rope.keyPrefix + field,
                                  message: "\(t == "yarn" ? "YaRN" : t) scaling needs \(field)")
            }
            return (key, try encode(value, c))
        }
    }

    func encode(_ v: KeyValue, _ c: ModelConfig) throws -> MetadataValue {
        switch (type, v) {
        case (.uint32, .int(let i)): return .uint32(UInt32(clamping: i))
        case (.float32, _): return .float32(Float(v.double ?? 0))
        case (.bool, .bool(let b)): return .bool(b)
        case (.string, .string(let s)):
            guard encoding == .gatingFunction else { return .string(s) }
            guard let id = ["softmax": 1, "sigmoid": 2, "sqrtsoftplus": 4][s] else {
                throw ConfigError(path: c.path, key: "scoring_func",
                                  message: "unsupported expert gating function \"\(s)\" (softmax, sigmoid, sqrtsoftplus)")
            }
            return .uint32(UInt32(id))
        default:
            throw ConfigError(path: c.path, key: configKeys.first, message: "cannot be written as \(type)")
        }
    }
}
