import IngotCore

/// llama.cpp's file types (`enum llama_ftype` in include/llama.h): the value written as `general.file_type`,
/// and, for the mixes, the name of the per-tensor rule set `llama-quantize` applies (src/llama-quant.cpp).
///
/// Names are llama-quantize's (`Q4_K_M`, `MXFP4_MOE`, `F16`); `NVFP4` (39) is left out because llama-quantize
/// cannot produce it (it has no default type in the reference tree, shared/docs/gguf-and-quants.md §5.3).
public enum FileType: String, CaseIterable, Sendable, Hashable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16"
    case q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1", q8_0 = "Q8_0"
    case q2_K = "Q2_K", q2_K_S = "Q2_K_S"
    case q3_K_S = "Q3_K_S", q3_K_M = "Q3_K_M", q3_K_L = "Q3_K_L"
    case q4_K_S = "Q4_K_S", q4_K_M = "Q4_K_M"
    case q5_K_S = "Q5_K_S", q5_K_M = "Q5_K_M"
    case q6_K = "Q6_K"
    case iq2_xxs = "IQ2_XXS", iq2_xs = "IQ2_XS", iq2_s = "IQ2_S", iq2_m = "IQ2_M"
    case iq3_xxs = "IQ3_XXS", iq3_xs = "IQ3_XS", iq3_s = "IQ3_S", iq3_m = "IQ3_M"
    case iq1_s = "IQ1_S", iq1_m = "IQ1_M"
    case iq4_nl = "IQ4_NL", iq4_xs = "IQ4_XS"
    case tq1_0 = "TQ1_0", tq2_0 = "TQ2_0"
    case mxfp4_moe = "MXFP4_MOE"
    case q1_0 = "Q1_0", q2_0 = "Q2_0"

    /// llama-quantize's name for the file type (`"Q4_K_M"`).
    public var name: String { rawValue }

    /// `llama_ftype` value, written as `general.file_type` (u32).
    public var id: UInt32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .q4_0: return 2
        case .q4_1: return 3
        case .q8_0: return 7
        case .q5_0: return 8
        case .q5_1: return 9
        case .q2_K: return 10
        case .q3_K_S: return 11
        case .q3_K_M: return 12
        case .q3_K_L: return 13
        case .q4_K_S: return 14
        case .q4_K_M: return 15
        case .q5_K_S: return 16
        case .q5_K_M: return 17
        case .q6_K: return 18
        case .iq2_xxs: return 19
        case .iq2_xs: return 20
        case .q2_K_S: return 21
        case .iq3_xs: return 22
        case .iq3_xxs: return 23
        case .iq1_s: return 24
        case .iq4_nl: return 25
        case .iq3_s: return 26
        case .iq3_m: return 27
        case .iq2_s: return 28
        case .iq2_m: return 29
        case .iq4_xs: return 30
        case .iq1_m: return 31
        case .bf16: return 32
        case .tq1_0: return 36
        case .tq2_0: return 37
        case .mxfp4_moe: return 38
        case .q1_0: return 40
        case .q2_0: return 41
        }
    }

    /// The type every quantizable tensor starts from before the mix rules (`llama_ftype_get_default_type`).
    /// Note the two surprises the reference has: IQ2_S → iq2_xs and IQ2_M → iq2_s; IQ3_XS → iq3_s.
    public var defaultType: ElementType {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        case .q5_0: return .q5_0
        case .q5_1: return .q5_1
        case .q8_0: return .q8_0
        case .q1_0: return .q1_0
        case .q2_0: return .q2_0
        case .mxfp4_moe: return .mxfp4
        case .q2_K, .q2_K_S: return .q2_K
        case .iq3_xs: return .iq3_s
        case .q3_K_S, .q3_K_M, .q3_K_L: return .q3_K
        case .q4_K_S, .q4_K_M: return .q4_K
        case .q5_K_S, .q5_K_M: return .q5_K
        case .q6_K: return .q6_K
        case .tq1_0: return .tq1_0
        case .tq2_0: return .tq2_0
        case .iq2_xxs: return .iq2_xxs
        case .iq2_xs: return .iq2_xs
        case .iq2_s: return .iq2_xs
        case .iq2_m: return .iq2_s
        case .iq3_xxs: return .iq3_xxs
        case .iq1_s: return .iq1_s
        case .iq1_m: return .iq1_m
        case .iq4_nl: return .iq4_nl
        case .iq4_xs: return .iq4_xs
        case .iq3_s, .iq3_m: return .iq3_s
        }
    }

    /// True when the default type is a block type, i.e. when overrides, mix rules and fallbacks run at all.
    public var isQuantized: Bool { defaultType.blockElements > 1 }

    /// The file type named `name`, case-insensitive (`q4_k_m`, `Q4_K_M`), or nil.
    public init?(name: String) {
        guard let t = FileType(rawValue: name.uppercased()) else { return nil }
        self = t
    }

    /// The file type with `general.file_type` value `id`, or nil (1024 = "guessed" and removed ids included).
    public init?(id: UInt32) {
        guard let t = FileType.allCases.first(where: { $0.id == id }) else { return nil }
        self = t
    }

    /// The file type Ingot records for a single-type conversion (`--type Q4_K`): the llama-quantize alias
    /// for that type's name where one exists (Q3_K → Q3_K_M, Q4_K → Q4_K_M, Q5_K → Q5_K_M, MXFP4 → MXFP4_MOE),
    /// else the first file type whose default is `type`. Nil for types no file type defaults to.
    public static func forSingleType(_ type: ElementType) -> FileType? {
        switch type {
        case .q3_K: return .q3_K_M
        case .q4_K: return .q4_K_M
        case .q5_K: return .q5_K_M
        case .q2_K: return .q2_K
        case .iq2_s: return .iq2_m
        case .iq3_s: return .iq3_s
        case .mxfp4: return .mxfp4_moe
        default: return allCases.first { $0.defaultType == type }
        }
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
