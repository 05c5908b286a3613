import IngotCore

/// How INT8 scales are shared: one per output row (compressed-tensors strategy `channel`) or one per `group`
/// consecutive columns of a row (strategy `group`, group size 32, 64 or 128).
public enum Int8Scheme: Equatable, Sendable, CustomStringConvertible {
    case perRow
    case group(Int)

    /// Group sizes offered (compressed-tensors accepts any; these are the ones Ingot writes and reads).
    public static let groupSizes = [32, 64, 128]

    /// Columns sharing one scale in a row of `columns`.
    public func groupSize(columns: Int) -> Int {
        switch self {
        case .perRow: return columns
        case .group(let g): return g
        }
    }

    public var description: String {
        switch self {
        case .perRow: return "per-row"
        case .group(let g): return "group \(g)"
        }
    }
}

/// A 2-D weight `[rows, columns]` quantized to symmetric INT8, as plain data in the compressed-tensors
/// `int-quantized` layout (Formats/nf4-int8.md):
///
/// | tensor | dtype | shape |
/// |---|---|---|
/// | `<name>` (e.g. `…down_proj.weight`) | I8 | [rows, columns] |
/// | `<name>_scale` (`…down_proj.weight_scale`) | F16 or F32 | [rows, 1] per row, [rows, columns / group] grouped |
///
/// Value = `Float(q) * scale`; no zero point (symmetric). GGUF has its own 8-bit form, Q8_0.
public struct Int8Tensor: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    public var scheme: Int8Scheme
    /// `.f16` or `.f32`: how the scales are stored (``scales`` holds them exactly as stored).
    public var scaleType: ElementType
    /// `rows × columns` codes in −127…127, row-major.
    public var weights: [Int8]
    /// `rows × groupsPerRow` scales, row-major, each exactly representable in ``scaleType``.
    public var scales: [Float]

    public init(rows: Int, columns: Int, scheme: Int8Scheme, scaleType: ElementType, weights: [Int8], scales: [Float]) {
        self.rows = rows
        self.columns = columns
        self.scheme = scheme
        self.scaleType = scaleType
        self.weights = weights
        self.scales = scales
    }

    /// Scales per row.
    public var groupsPerRow: Int {
        let g = scheme.groupSize(columns: columns)
        return g > 0 ? columns / g : 0
    }

    /// Checks sizes and scheme (called before decoding anything read from a file).
    public func validate() throws {
        guard rows >= 0, columns >= 0, rows.multipliedReportingOverflow(by: columns).overflow == false else {
            throw WeightLayoutError.badShape("INT8 shape [\(rows), \(columns)] is invalid")
        }
        guard scaleType == .f16 || scaleType == .f32 else {
            throw WeightLayoutError.wrongDType(tensor: "weight_scale", expected: "F16 or F32",
                                              found: scaleType.safetensorsName ?? scaleType.displayName)
        }
        if case .group(let g) = scheme {
            guard Int8Scheme.groupSizes.contains(g) else {
                throw WeightLayoutError.unsupportedBlockSize(what: "INT8 group size", found: g, supported: Int8Scheme.groupSizes)
            }
            guard columns % g == 0 else {
                throw WeightLayoutError.badShape("INT8 row length \(columns) is not a multiple of group size \(g)")
            }
        }
        guard weights.count == rows * columns else {
            throw WeightLayoutError.wrongShape(tensor: "weight", expected: "\(rows * columns) elements", found: [weights.count])
        }
        guard scales.count == rows * groupsPerRow else {
            throw WeightLayoutError.wrongShape(tensor: "weight_scale", expected: "[\(rows), \(groupsPerRow)]", found: [scales.count])
        }
    }

    // MARK: - Safetensors components

    /// `weightName` (I8) and `weightName + "_scale"` (F16/F32), as compressed-tensors names them.
    public func components(weightName: String) -> [WeightComponent] {
        let w = weights.map { UInt8(bitPattern: $0) }
        let scaleShape = [rows, groupsPerRow]
        let scale: WeightComponent
        if scaleType == .f16 {
            var b = [UInt8]()
            b.reserveCapacity(2 * scales.count)
            for s in scales {
                let h = HalfPrecision.f16Bits(s)
                b.append(UInt8(truncatingIfNeeded: h))
                b.append(UInt8(truncatingIfNeeded: h >> 8))
            }
            scale = WeightComponent(name: weightName + "_scale", dtype: .f16, shape: scaleShape, bytes: b)
        } else {
            scale = .f32(weightName + "_scale", shape: scaleShape, scales)
        }
        return [WeightComponent(name: weightName, dtype: .i8, shape: [rows, columns], bytes: w), scale]
    }

    /// Reads the layout back; the scheme follows from the scale tensor's shape (`[rows, 1]` is per row, otherwise
    /// `[rows, columns / group]`).
    public init(weightName: String, lookup: (String) -> WeightComponent?) throws {
        guard let w = lookup(weightName) else { throw WeightLayoutError.missingTensor(weightName) }
        guard w.shape.count == 2, w.shape[0] >= 0, w.shape[1] > 0 else {
            throw WeightLayoutError.wrongShape(tensor: weightName, expected: "[rows, columns]", found: w.shape)
        }
        let rows = w.shape[0], cols = w.shape[1]
        let (n, o) = rows.multipliedReportingOverflow(by: cols)
        guard !o else { throw WeightLayoutError.badShape("'\(weightName)' shape \(w.shape) overflows") }
        try w.check(dtype: .i8, elements: n)
        let scaleName = weightName + "_scale"
        guard let s = lookup(scaleName) else { throw WeightLayoutError.missingTensor(scaleName) }
        guard s.shape.count == 2, s.shape[0] == rows, s.shape[1] > 0 else {
            throw WeightLayoutError.wrongShape(tensor: scaleName, expected: "[\(rows), 1] or [\(rows), columns / group]", found: s.shape)
        }
        let groups = s.shape[1]
        let scheme: Int8Scheme
        if groups == 1 {
            scheme = .perRow
        } else {
            guard cols % groups == 0, Int8Scheme.groupSizes.contains(cols / groups) else {
                throw WeightLayoutError.wrongShape(tensor: scaleName,
                                                   expected: "[\(rows), \(cols) / g] for g in \(Int8Scheme.groupSizes)", found: s.shape)
            }
            scheme = .group(cols / groups)
        }
        let values: [Float]
        switch s.dtype {
        case .f32:
            try s.check(dtype: .f32, elements: rows * groups)
            values = s.float32Values!
        case .f16:
            try s.check(dtype: .f16, elements: rows * groups)
            values = (0..<(rows * groups)).map { HalfPrecision.float(fromF16: UInt16(s.bytes[2 * $0]) | UInt16(s.bytes[2 * $0 + 1]) << 8) }
        default:
            throw WeightLayoutError.wrongDType(tensor: scaleName, expected: "F16 or F32", found: s.dtype.safetensorsName ?? s.dtype.displayName)
        }
        self.init(rows: rows, columns: cols, scheme: scheme, scaleType: s.dtype,
                  weights: w.bytes.map { Int8(bitPattern: $0) }, scales: values)
    }

    /// The `quantization_config` object a compressed-tensors reader (transformers, vLLM) expects in config.json for
    /// weights written this way, as JSON text in a fixed key order. `ignore` lists module names left unquantized
    /// (typically `["lm_head"]`).
    public static func quantizationConfigJSON(scheme: Int8Scheme, ignore: [String] = ["lm_head"]) -> String {
        let strategy: String, groupSize: String
        switch scheme {
        case .perRow: strategy = "channel"; groupSize = "null"
        case .group(let g): strategy = "group"; groupSize = String(g)
        }
        let ign = ignore.map { "\"\(jsonEscaped($0))\"" }.joined(separator: ", ")
        return """
        {"quant_method": "compressed-tensors", "format": "int-quantized", "quantization_status": "compressed", \
        "config_groups": {"group_0": {"targets": ["Linear"], "weights": {"num_bits": 8, "type": "int", \
        "symmetric": true, "strategy": "\(strategy)", "group_size": \(groupSize), "dynamic": false, \
        "observer": "minmax", "actorder": null, "block_structure": null}, "input_activations": null, \
        "output_activations": null, "format": "int-quantized"}}, "ignore": [\(ign)], "kv_cache_scheme": null}
        """
    }

    static func jsonEscaped(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += String(format: u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

private extension String {
    /// `\u00XX` for a control character.
    init(format v: UInt32) {
        let hex = String(v, radix: 16)
        self = "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
