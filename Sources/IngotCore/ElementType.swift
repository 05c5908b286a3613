/// The one table of element and quantization types Ingot knows.
///
/// Every format, codec, size computation and `--help` text derives from this table:
/// ggml type ids and names (shared/docs/gguf-and-quants.md §2), safetensors dtype names,
/// block geometry, and Ingot's own INT8 / NF4 layouts (which have no ggml id).
public enum ElementType: String, CaseIterable, Sendable, Hashable {
    // MARK: Plain element types
    case f64, f32, f16, bf16, f8E4M3, f8E5M2
    case i64, i32, i16, i8
    case u64, u32, u16, u8
    case bool

    // MARK: ggml block types
    case q4_0, q4_1, q5_0, q5_1, q8_0, q8_1
    case q2_K, q3_K, q4_K, q5_K, q6_K, q8_K
    case iq2_xxs, iq2_xs, iq3_xxs, iq1_s, iq4_nl, iq3_s, iq2_s, iq4_xs, iq1_m
    case tq1_0, tq2_0
    case mxfp4, nvfp4, q1_0, q2_0

    // MARK: Ingot's own layouts (stored in safetensors as several tensors; see Formats/)
    /// Symmetric INT8, one scale per output row (absmax / 127).
    case int8Row
    /// bitsandbytes NF4: 4-bit NormalFloat codes, absmax per block of 64 (default).
    case nf4
    /// bitsandbytes FP4: 4-bit float codes, absmax per block.
    case fp4

    /// One row of the table.
    public struct Traits: Sendable {
        /// ggml's `ggml_type` id, nil where ggml has none.
        public let ggmlID: Int32?
        /// `ggml_type_name` spelling (lower case, as GGUF tools print it).
        public let ggmlName: String?
        /// safetensors `dtype` spelling, nil where safetensors has none.
        public let safetensorsName: String?
        /// Elements per block (1 for plain types).
        public let blockElements: Int
        /// Bytes per block.
        public let blockBytes: Int
        /// Whether values are floating point once decoded (true for every quantized type).
        public let isFloatingPoint: Bool
    }

    /// The table itself: one literal row per type.
    public var traits: Traits {
        switch self {
        case .f64: return Traits(ggmlID: 28, ggmlName: "f64", safetensorsName: "F64", blockElements: 1, blockBytes: 8, isFloatingPoint: true)
        case .f32: return Traits(ggmlID: 0, ggmlName: "f32", safetensorsName: "F32", blockElements: 1, blockBytes: 4, isFloatingPoint: true)
        case .f16: return Traits(ggmlID: 1, ggmlName: "f16", safetensorsName: "F16", blockElements: 1, blockBytes: 2, isFloatingPoint: true)
        case .bf16: return Traits(ggmlID: 30, ggmlName: "bf16", safetensorsName: "BF16", blockElements: 1, blockBytes: 2, isFloatingPoint: true)
        case .f8E4M3: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "F8_E4M3", blockElements: 1, blockBytes: 1, isFloatingPoint: true)
        case .f8E5M2: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "F8_E5M2", blockElements: 1, blockBytes: 1, isFloatingPoint: true)
        case .i64: return Traits(ggmlID: 27, ggmlName: "i64", safetensorsName: "I64", blockElements: 1, blockBytes: 8, isFloatingPoint: false)
        case .i32: return Traits(ggmlID: 26, ggmlName: "i32", safetensorsName: "I32", blockElements: 1, blockBytes: 4, isFloatingPoint: false)
        case .i16: return Traits(ggmlID: 25, ggmlName: "i16", safetensorsName: "I16", blockElements: 1, blockBytes: 2, isFloatingPoint: false)
        case .i8: return Traits(ggmlID: 24, ggmlName: "i8", safetensorsName: "I8", blockElements: 1, blockBytes: 1, isFloatingPoint: false)
        case .u64: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "U64", blockElements: 1, blockBytes: 8, isFloatingPoint: false)
        case .u32: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "U32", blockElements: 1, blockBytes: 4, isFloatingPoint: false)
        case .u16: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "U16", blockElements: 1, blockBytes: 2, isFloatingPoint: false)
        case .u8: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "U8", blockElements: 1, blockBytes: 1, isFloatingPoint: false)
        case .bool: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: "BOOL", blockElements: 1, blockBytes: 1, isFloatingPoint: false)
        case .q4_0: return Traits(ggmlID: 2, ggmlName: "q4_0", safetensorsName: nil, blockElements: 32, blockBytes: 18, isFloatingPoint: true)
        case .q4_1: return Traits(ggmlID: 3, ggmlName: "q4_1", safetensorsName: nil, blockElements: 32, blockBytes: 20, isFloatingPoint: true)
        case .q5_0: return Traits(ggmlID: 6, ggmlName: "q5_0", safetensorsName: nil, blockElements: 32, blockBytes: 22, isFloatingPoint: true)
        case .q5_1: return Traits(ggmlID: 7, ggmlName: "q5_1", safetensorsName: nil, blockElements: 32, blockBytes: 24, isFloatingPoint: true)
        case .q8_0: return Traits(ggmlID: 8, ggmlName: "q8_0", safetensorsName: nil, blockElements: 32, blockBytes: 34, isFloatingPoint: true)
        case .q8_1: return Traits(ggmlID: 9, ggmlName: "q8_1", safetensorsName: nil, blockElements: 32, blockBytes: 36, isFloatingPoint: true)
        case .q2_K: return Traits(ggmlID: 10, ggmlName: "q2_K", safetensorsName: nil, blockElements: 256, blockBytes: 84, isFloatingPoint: true)
        case .q3_K: return Traits(ggmlID: 11, ggmlName: "q3_K", safetensorsName: nil, blockElements: 256, blockBytes: 110, isFloatingPoint: true)
        case .q4_K: return Traits(ggmlID: 12, ggmlName: "q4_K", safetensorsName: nil, blockElements: 256, blockBytes: 144, isFloatingPoint: true)
        case .q5_K: return Traits(ggmlID: 13, ggmlName: "q5_K", safetensorsName: nil, blockElements: 256, blockBytes: 176, isFloatingPoint: true)
        case .q6_K: return Traits(ggmlID: 14, ggmlName: "q6_K", safetensorsName: nil, blockElements: 256, blockBytes: 210, isFloatingPoint: true)
        case .q8_K: return Traits(ggmlID: 15, ggmlName: "q8_K", safetensorsName: nil, blockElements: 256, blockBytes: 292, isFloatingPoint: true)
        case .iq2_xxs: return Traits(ggmlID: 16, ggmlName: "iq2_xxs", safetensorsName: nil, blockElements: 256, blockBytes: 66, isFloatingPoint: true)
        case .iq2_xs: return Traits(ggmlID: 17, ggmlName: "iq2_xs", safetensorsName: nil, blockElements: 256, blockBytes: 74, isFloatingPoint: true)
        case .iq3_xxs: return Traits(ggmlID: 18, ggmlName: "iq3_xxs", safetensorsName: nil, blockElements: 256, blockBytes: 98, isFloatingPoint: true)
        case .iq1_s: return Traits(ggmlID: 19, ggmlName: "iq1_s", safetensorsName: nil, blockElements: 256, blockBytes: 50, isFloatingPoint: true)
        case .iq4_nl: return Traits(ggmlID: 20, ggmlName: "iq4_nl", safetensorsName: nil, blockElements: 32, blockBytes: 18, isFloatingPoint: true)
        case .iq3_s: return Traits(ggmlID: 21, ggmlName: "iq3_s", safetensorsName: nil, blockElements: 256, blockBytes: 110, isFloatingPoint: true)
        case .iq2_s: return Traits(ggmlID: 22, ggmlName: "iq2_s", safetensorsName: nil, blockElements: 256, blockBytes: 82, isFloatingPoint: true)
        case .iq4_xs: return Traits(ggmlID: 23, ggmlName: "iq4_xs", safetensorsName: nil, blockElements: 256, blockBytes: 136, isFloatingPoint: true)
        case .iq1_m: return Traits(ggmlID: 29, ggmlName: "iq1_m", safetensorsName: nil, blockElements: 256, blockBytes: 56, isFloatingPoint: true)
        case .tq1_0: return Traits(ggmlID: 34, ggmlName: "tq1_0", safetensorsName: nil, blockElements: 256, blockBytes: 54, isFloatingPoint: true)
        case .tq2_0: return Traits(ggmlID: 35, ggmlName: "tq2_0", safetensorsName: nil, blockElements: 256, blockBytes: 66, isFloatingPoint: true)
        case .mxfp4: return Traits(ggmlID: 39, ggmlName: "mxfp4", safetensorsName: nil, blockElements: 32, blockBytes: 17, isFloatingPoint: true)
        case .nvfp4: return Traits(ggmlID: 40, ggmlName: "nvfp4", safetensorsName: nil, blockElements: 64, blockBytes: 36, isFloatingPoint: true)
        case .q1_0: return Traits(ggmlID: 41, ggmlName: "q1_0", safetensorsName: nil, blockElements: 128, blockBytes: 18, isFloatingPoint: true)
        case .q2_0: return Traits(ggmlID: 42, ggmlName: "q2_0", safetensorsName: nil, blockElements: 64, blockBytes: 18, isFloatingPoint: true)
        // Ingot layouts: the weight part only (scales live in companion tensors), so one element per byte / per nibble.
        case .int8Row: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: nil, blockElements: 1, blockBytes: 1, isFloatingPoint: true)
        case .nf4: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: nil, blockElements: 2, blockBytes: 1, isFloatingPoint: true)
        case .fp4: return Traits(ggmlID: nil, ggmlName: nil, safetensorsName: nil, blockElements: 2, blockBytes: 1, isFloatingPoint: true)
        }
    }

    // MARK: - Derived lookups

    public var ggmlID: Int32? { traits.ggmlID }
    public var ggmlName: String? { traits.ggmlName }
    public var safetensorsName: String? { traits.safetensorsName }
    public var blockElements: Int { traits.blockElements }
    public var blockBytes: Int { traits.blockBytes }
    public var isFloatingPoint: Bool { traits.isFloatingPoint }
    /// True for ggml block types (more than one element per block) and Ingot's packed layouts.
    public var isQuantized: Bool { blockElements > 1 || self == .int8Row }
    /// Bits per weight of the stored block (scales included for ggml types).
    public var bitsPerWeight: Double { Double(blockBytes * 8) / Double(blockElements) }

    /// Canonical upper-case name Ingot prints and accepts on the command line (`Q4_K`, `F16`, `NF4`, `INT8`).
    public var displayName: String {
        switch self {
        case .f8E4M3: return "F8_E4M3"
        case .f8E5M2: return "F8_E5M2"
        case .int8Row: return "INT8"
        default:
            if let g = ggmlName { return g.uppercased() }
            return rawValue.uppercased()
        }
    }

    private static let byGGMLID: [Int32: ElementType] = {
        var m: [Int32: ElementType] = [:]
        for t in allCases { if let id = t.ggmlID { m[id] = t } }
        return m
    }()
    private static let bySafetensorsName: [String: ElementType] = {
        var m: [String: ElementType] = [:]
        for t in allCases { if let n = t.safetensorsName { m[n] = t } }
        return m
    }()
    private static let byDisplayName: [String: ElementType] = {
        var m: [String: ElementType] = [:]
        for t in allCases { m[t.displayName.uppercased()] = t }
        return m
    }()

    /// The type with ggml id `id`, or nil (removed ids 4, 5, 31…33, 36…38 and anything ≥ 43 are unknown).
    public init?(ggmlID id: Int32) {
        guard let t = Self.byGGMLID[id] else { return nil }
        self = t
    }
    /// The type safetensors spells `name` (`"BF16"`), or nil.
    public init?(safetensorsName name: String) {
        guard let t = Self.bySafetensorsName[name] else { return nil }
        self = t
    }
    /// The type whose display name is `name`, case-insensitive (`q4_k`, `Q4_K`, `bf16`).
    public init?(displayName name: String) {
        guard let t = Self.byDisplayName[name.uppercased()] else { return nil }
        self = t
    }

    /// Every ggml type, in id order (for `--help` and table tests).
    public static var ggmlTypes: [ElementType] {
        allCases.filter { $0.ggmlID != nil }.sorted { $0.ggmlID! < $1.ggmlID! }
    }
    /// The highest ggml id + 1 (`GGML_TYPE_COUNT`).
    public static let ggmlTypeCount: Int32 = 43

    // MARK: - Checked size maths

    /// Bytes needed for `elements` elements, rejecting counts that are not whole blocks or that overflow.
    public func byteCount(elements: Int) throws -> Int {
        guard elements >= 0 else { throw SizeError.negative(elements) }
        guard elements % blockElements == 0 else {
            throw SizeError.notWholeBlocks(elements: elements, blockElements: blockElements, type: displayName)
        }
        let (bytes, overflow) = (elements / blockElements).multipliedReportingOverflow(by: blockBytes)
        guard !overflow else { throw SizeError.overflow("\(elements) elements of \(displayName)") }
        return bytes
    }

    /// Bytes of a tensor with `shape` (outermost first), checked for overflow and whole blocks along the last dimension.
    public func byteCount(shape: [Int]) throws -> Int {
        let n = try ElementType.elementCount(shape)
        if let last = shape.last, last % blockElements != 0 {
            throw SizeError.notWholeBlocks(elements: last, blockElements: blockElements, type: displayName)
        }
        return try byteCount(elements: n)
    }

    /// Product of `shape`, checked for negative dimensions and overflow (an empty shape is a scalar: 1).
    ///
    /// The product of the non-zero dimensions must fit too: a zero dimension makes the count 0, but `[2^40, 2^40, 0]`
    /// would still overflow any partial product taken in another order (`TensorInfo.elementCount`, `rowCount`).
    public static func elementCount(_ shape: [Int]) throws -> Int {
        var n = 1
        var hasZero = false
        for d in shape {
            guard d >= 0 else { throw SizeError.negative(d) }
            if d == 0 { hasZero = true; continue }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            guard !o else { throw SizeError.overflow("shape \(shape)") }
            n = p
        }
        return hasZero ? 0 : n
    }
}

/// A size computation that cannot be done.
public enum SizeError: Error, Equatable, CustomStringConvertible, Sendable {
    case negative(Int)
    case overflow(String)
    case notWholeBlocks(elements: Int, blockElements: Int, type: String)

    public var description: String {
        switch self {
        case .negative(let n): return "negative dimension \(n)"
        case .overflow(let what): return "size of \(what) overflows 64 bits"
        case .notWholeBlocks(let e, let b, let t):
            return "row length \(e) is not a multiple of \(t)'s block size \(b)"
        }
    }
}
