import IngotCore

/// llama.cpp's file types (`enum llama_ftype` in include/llama.h): the value written as `general.file_type`,
/// and, for the mixes, the name of the per-tensor rule set `llama-quantize` applies (src/llama-quant.cpp).
///
/// Names are llama-quantize's (`Q4_K_M`, `MXFP4_MOE`, `F16`); `NVFP4` (39) is left out because llama-quantize
/// cannot produce it (it has no default type in the reference tree, shared/docs/gguf-and-quants.md §5.3).
public enum FileType: CaseIterable, Sendable, Hashable {
    case f32, f16, bf16
    case q4_0, q4_1, q5_0, q5_1, q8_0
    case q2_K, q2_K_S
    case q3_K_S, q3_K_M, q3_K_L
    case q4_K_S, q4_K_M
    case q5_K_S, q5_K_M
    case q6_K
    case iq2_xxs, iq2_xs, iq2_s, iq2_m
    case iq3_xxs, iq3_xs, iq3_s, iq3_m
    case iq1_s, iq1_m
    case iq4_nl, iq4_xs
    case tq1_0, tq2_0
    case mxfp4_moe
    case q1_0, q2_0

    /// One row of the table: everything Ingot knows about a file type.
    public struct Row: Sendable {
        /// The file type this row describes.
        public let fileType: FileType
        /// llama-quantize's name (`"Q4_K_M"`), upper case.
        public let name: String
        /// `llama_ftype` value, written as `general.file_type` (u32).
        public let id: UInt32
        /// The type every quantizable tensor starts from before the mix rules (`llama_ftype_get_default_type`).
        public let defaultType: ElementType
        /// The single element type whose `--type` is recorded as this file type even though another file type comes
        /// first with that default (llama-quantize's aliases: `Q4_K` → `Q4_K_M`, `MXFP4` → `MXFP4_MOE`, …); nil
        /// for the others, which ``FileType/forSingleType(_:)`` finds as the first row with that default.
        public let singleTypeOf: ElementType?

        init(_ fileType: FileType, _ name: String, id: UInt32, defaultType: ElementType, singleTypeOf: ElementType? = nil) {
            self.fileType = fileType
            self.name = name
            self.id = id
            self.defaultType = defaultType
            self.singleTypeOf = singleTypeOf
        }
    }

    /// The table: one literal row per file type, in the order `allCases`, `--help` and error messages list them.
    ///
    /// Ids and default types are llama.cpp's (include/llama.h, `llama_ftype_get_default_type` in src/llama-quant.cpp).
    /// Two surprises of the reference are kept: IQ2_S defaults to iq2_xs and IQ2_M to iq2_s; IQ3_XS to iq3_s.
    public static let table: [Row] = [
        Row(.f32,       "F32",       id:  0, defaultType: .f32),
        Row(.f16,       "F16",       id:  1, defaultType: .f16),
        Row(.bf16,      "BF16",      id: 32, defaultType: .bf16),
        Row(.q4_0,      "Q4_0",      id:  2, defaultType: .q4_0),
        Row(.q4_1,      "Q4_1",      id:  3, defaultType: .q4_1),
        Row(.q5_0,      "Q5_0",      id:  8, defaultType: .q5_0),
        Row(.q5_1,      "Q5_1",      id:  9, defaultType: .q5_1),
        Row(.q8_0,      "Q8_0",      id:  7, defaultType: .q8_0),
        Row(.q2_K,      "Q2_K",      id: 10, defaultType: .q2_K, singleTypeOf: .q2_K),
        Row(.q2_K_S,    "Q2_K_S",    id: 21, defaultType: .q2_K),
        Row(.q3_K_S,    "Q3_K_S",    id: 11, defaultType: .q3_K),
        Row(.q3_K_M,    "Q3_K_M",    id: 12, defaultType: .q3_K, singleTypeOf: .q3_K),
        Row(.q3_K_L,    "Q3_K_L",    id: 13, defaultType: .q3_K),
        Row(.q4_K_S,    "Q4_K_S",    id: 14, defaultType: .q4_K),
        Row(.q4_K_M,    "Q4_K_M",    id: 15, defaultType: .q4_K, singleTypeOf: .q4_K),
        Row(.q5_K_S,    "Q5_K_S",    id: 16, defaultType: .q5_K),
        Row(.q5_K_M,    "Q5_K_M",    id: 17, defaultType: .q5_K, singleTypeOf: .q5_K),
        Row(.q6_K,      "Q6_K",      id: 18, defaultType: .q6_K),
        Row(.iq2_xxs,   "IQ2_XXS",   id: 19, defaultType: .iq2_xxs),
        Row(.iq2_xs,    "IQ2_XS",    id: 20, defaultType: .iq2_xs),
        Row(.iq2_s,     "IQ2_S",     id: 28, defaultType: .iq2_xs),
        Row(.iq2_m,     "IQ2_M",     id: 29, defaultType: .iq2_s, singleTypeOf: .iq2_s),
        Row(.iq3_xxs,   "IQ3_XXS",   id: 23, defaultType: .iq3_xxs),
        Row(.iq3_xs,    "IQ3_XS",    id: 22, defaultType: .iq3_s),
        Row(.iq3_s,     "IQ3_S",     id: 26, defaultType: .iq3_s, singleTypeOf: .iq3_s),
        Row(.iq3_m,     "IQ3_M",     id: 27, defaultType: .iq3_s),
        Row(.iq1_s,     "IQ1_S",     id: 24, defaultType: .iq1_s),
        Row(.iq1_m,     "IQ1_M",     id: 31, defaultType: .iq1_m),
        Row(.iq4_nl,    "IQ4_NL",    id: 25, defaultType: .iq4_nl),
        Row(.iq4_xs,    "IQ4_XS",    id: 30, defaultType: .iq4_xs),
        Row(.tq1_0,     "TQ1_0",     id: 36, defaultType: .tq1_0),
        Row(.tq2_0,     "TQ2_0",     id: 37, defaultType: .tq2_0),
        Row(.mxfp4_moe, "MXFP4_MOE", id: 38, defaultType: .mxfp4, singleTypeOf: .mxfp4),
        Row(.q1_0,      "Q1_0",      id: 40, defaultType: .q1_0),
        Row(.q2_0,      "Q2_0",      id: 41, defaultType: .q2_0),
    ]

    /// Every file type, in table order.
    public static let allCases: [FileType] = table.map(\.fileType)

    private static let rowByFileType: [FileType: Row] = Dictionary(uniqueKeysWithValues: table.map { ($0.fileType, $0) })
    private static let byName: [String: FileType] = Dictionary(uniqueKeysWithValues: table.map { ($0.name, $0.fileType) })
    private static let byID: [UInt32: FileType] = Dictionary(uniqueKeysWithValues: table.map { ($0.id, $0.fileType) })
    private static let bySingleType: [ElementType: FileType] = Dictionary(
        uniqueKeysWithValues: table.compactMap { r in r.singleTypeOf.map { ($0, r.fileType) } })

    /// This file type's row of ``table``.
    public var row: Row {
        guard let r = Self.rowByFileType[self] else { preconditionFailure("FileType.table has no row for \(self)") }
        return r
    }

    /// llama-quantize's name for the file type (`"Q4_K_M"`).
    public var name: String { row.name }

    /// `llama_ftype` value, written as `general.file_type` (u32).
    public var id: UInt32 { row.id }

    /// The type every quantizable tensor starts from before the mix rules (`llama_ftype_get_default_type`).
    public var defaultType: ElementType { row.defaultType }

    /// True when the default type is a block type, i.e. when overrides, mix rules and fallbacks run at all.
    public var isQuantized: Bool { defaultType.blockElements > 1 }

    /// The file type named `name`, case-insensitive (`q4_k_m`, `Q4_K_M`), or nil.
    public init?(name: String) {
        guard let t = Self.byName[name.uppercased()] else { return nil }
        self = t
    }

    /// The file type with `general.file_type` value `id`, or nil (1024 = "guessed" and removed ids included).
    public init?(id: UInt32) {
        guard let t = Self.byID[id] else { return nil }
        self = t
    }

    /// The file type Ingot records for a single-type conversion (`--type Q4_K`): the llama-quantize alias
    /// for that type's name where one exists (a row's `singleTypeOf`: Q3_K → Q3_K_M, Q4_K → Q4_K_M, Q5_K → Q5_K_M,
    /// MXFP4 → MXFP4_MOE, …), else the first file type whose default is `type`. Nil for types no file type defaults to.
    public static func forSingleType(_ type: ElementType) -> FileType? {
        bySingleType[type] ?? table.first { $0.defaultType == type }?.fileType
    }
}

/// What `--type` asks for: one of llama-quantize's file types (a mix with its per-tensor rules), or one element
/// type for every quantizable tensor.
///
/// Parsing (`QuantTarget(parsing:)`): a name that is a file type (`Q4_K_M`, `Q2_K`, `Q6_K`, `Q8_0`, `F16`, `IQ4_NL`,
/// `MXFP4_MOE` …) means that file type, exactly as llama-quantize reads it. A ggml type name that is not a file type
/// name (`Q3_K`, `Q4_K`, `Q5_K`, `MXFP4`) means that single type everywhere: this is where Ingot differs from
/// llama-quantize, whose `Q4_K` is an alias of the `Q4_K_M` mix. A single type is planned as its file type
/// (`FileType.forSingleType`) with `pure` set: no mix rules, but `--tensor-type`, `--output-tensor-type`,
/// `--token-embedding-type` and the row-length fallbacks still apply, as in `llama-quantize --pure`.
public enum QuantTarget: Equatable, Sendable, CustomStringConvertible {
    /// A llama-quantize file type: mix rules apply unless `pure`.
    case fileType(FileType)
    /// One element type for every quantizable tensor (planned as `--pure`).
    case single(ElementType)

    /// Parses a `--type` value (case-insensitive); see the type's documentation for the rules.
    public init(parsing text: String) throws {
        if let f = FileType(name: text) {
            self = .fileType(f)
            return
        }
        if let t = ElementType(displayName: text), FileType.forSingleType(t) != nil {
            self = .single(t)
            return
        }
        throw PlanError.unknownTarget(text, supported: QuantTarget.supportedNames)
    }

    /// The file type written as `general.file_type` and whose rules (if any) are used.
    public var fileType: FileType {
        switch self {
        case .fileType(let f): return f
        // forSingleType is non-nil for every single target `init(parsing:)` builds; QuantPlanner rejects a
        // hand-built `.single` of a type no file type defaults to, so this F16 is never planned with.
        case .single(let t): return FileType.forSingleType(t) ?? .f16
        }
    }

    /// True for a single-type target (mix rules off).
    public var isSingle: Bool {
        if case .single = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .fileType(let f): return f.name
        case .single(let t): return t.displayName
        }
    }

    /// Every name `init(parsing:)` accepts, file types first.
    public static var supportedNames: [String] {
        let files = FileType.allCases.map(\.name)
        let singles = ElementType.ggmlTypes
            .filter { FileType(name: $0.displayName) == nil && FileType.forSingleType($0) != nil }
            .map(\.displayName)
        return files + singles
    }
}
