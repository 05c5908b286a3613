import IngotCore

/// The hyperparameters llama.cpp's type selection reads from the model (`llama_hparams`, layer 0 where per-layer).
public struct PlanModel: Equatable, Sendable {
    /// GGUF architecture name (`general.architecture`: `"llama"`, `"gpt-oss"`, `"falcon"` …).
    public var architecture: String
    /// `{arch}.block_count` (`n_layer_all`): the `n` of the ffn_down / ffn_gate / ffn_up layer rules.
    public var layerCount: Int
    /// `{arch}.attention.head_count` of layer 0.
    public var headCount: Int
    /// `{arch}.attention.head_count_kv` of layer 0.
    public var headCountKV: Int
    /// `{arch}.expert_count`, 0 for dense models.
    public var expertCount: Int

    public init(architecture: String, layerCount: Int, headCount: Int, headCountKV: Int, expertCount: Int = 0) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.headCount = headCount
        self.headCountKV = headCountKV
        self.expertCount = expertCount
    }

    /// `hparams.n_gqa()`: heads per KV head, 0 when there are no KV heads.
    public var gqa: Int { headCountKV <= 0 ? 0 : headCount / headCountKV }

    /// `model.type == LLM_TYPE_70B`, as llama.cpp's loader infers it: a llama-architecture model (not an
    /// 8-expert one) with 80 layers and grouped-query attention.
    public var is70B: Bool {
        architecture == "llama" && expertCount != 8 && layerCount == 80 && headCount != headCountKV
    }
}

/// llama-quantize's options that affect type selection (`llama_model_quantize_params`, tools/quantize/quantize.cpp).
public struct QuantOptions: Equatable, Sendable {
    /// `--type`: a file type (mix) or one type everywhere.
    public var target: QuantTarget
    /// `--tensor-type PATTERN=TYPE`, in command-line order: the first match wins.
    public var tensorTypeOverrides: [TensorTypeOverride]
    /// `--output-tensor-type`.
    public var outputTensorType: ElementType?
    /// `--token-embedding-type`.
    public var tokenEmbeddingType: ElementType?
    /// `--pure`: no mix rules (fallbacks still apply).
    public var pure: Bool
    /// `--leave-output-tensor`: output.weight keeps its source type.
    public var leaveOutputTensor: Bool
    /// Ingot's `--keep-router-precision` (default on): MoE router weights keep their source type in every mix.
    /// llama.cpp never quantizes `ffn_gate_inp.weight`; this extends the rule to router tensors under other names
    /// (Hugging Face `*.router.*`, `*.mlp.gate.weight`, `*.block_sparse_moe.gate.weight`) for tensor-by-tensor
    /// conversions. Off: those other names follow the normal rules (ffn_gate_inp stays unquantized, as in llama.cpp).
    public var keepRouterPrecision: Bool
    /// Whether an importance matrix is given (some mix rules depend on it).
    public var hasImatrix: Bool
    /// `--allow-requantize`: an already quantized source tensor may be quantized again (checked by
    /// `QuantPlan.validateForWriting()`, not by planning, so a dry run still shows the plan).
    public var allowRequantize: Bool

    public init(target: QuantTarget, tensorTypeOverrides: [TensorTypeOverride] = [], outputTensorType: ElementType? = nil,
                tokenEmbeddingType: ElementType? = nil, pure: Bool = false, leaveOutputTensor: Bool = false,
                keepRouterPrecision: Bool = true, hasImatrix: Bool = false, allowRequantize: Bool = false) {
        self.target = target
        self.tensorTypeOverrides = tensorTypeOverrides
        self.outputTensorType = outputTensorType
        self.tokenEmbeddingType = tokenEmbeddingType
        self.pure = pure
        self.leaveOutputTensor = leaveOutputTensor
        self.keepRouterPrecision = keepRouterPrecision
        self.hasImatrix = hasImatrix
        self.allowRequantize = allowRequantize
    }
}

/// Chooses each tensor's type exactly as llama-quantize does (src/llama-quant.cpp: `tensor_allows_quantization`,
/// `llama_tensor_get_type`, `llama_tensor_get_type_impl`, `tensor_type_fallback`; shared/docs/gguf-and-quants.md §5).
///
/// Proven against llama.cpp's own snapshots (Tests/Fixtures/vectors/mix-schemas, every file type for
/// gpt-oss-120b and Llama-3.1-70B) and the tiny models' llama-quantize outputs (QuantPlannerTests).
///
/// Input: the model's tensors with GGUF names, shapes outermost first, and the type each has in the source GGUF (or
/// the type the converter stores it in before quantizing: F32 for norms and routers, the checkpoint's F16/BF16 else).
public struct QuantPlanner: Sendable {
    public let options: QuantOptions
    public let model: PlanModel

    public init(options: QuantOptions, model: PlanModel) throws {
        if case .single(let t) = options.target, FileType.forSingleType(t) == nil { throw PlanError.noFileType(t) }
        guard model.layerCount > 0, model.headCount >= 0, model.headCountKV >= 0, model.expertCount >= 0 else {
            throw PlanError.badModel("layers \(model.layerCount), heads \(model.headCount), KV heads "
                + "\(model.headCountKV), experts \(model.expertCount)")
        }
        self.options = options
        self.model = model
    }

    /// The file type used for rules and `general.file_type`.
    public var fileType: FileType { options.target.fileType }

    /// Plans every tensor; the result is in llama.cpp's output order (`weight_name_comparer`).
    public func plan(_ tensors: [TensorInfo]) throws -> QuantPlan {
        for t in tensors where t.shape.count > 4 || t.shape.contains(where: { $0 < 0 }) {
            throw PlanError.badShape(tensor: t.name, shape: t.shape)
        }
        let ordered = QuantPlanner.llamaOrder(tensors)
        var state = MixState(model: model, fileType: fileType, hasImatrix: options.hasImatrix)
        state.count(ordered.map(\.name))

        var planned: [PlannedTensor] = []
        planned.reserveCapacity(ordered.count)
        var warnings: [String] = []
        for t in ordered {
            let choice = try choose(t, state: &state, warnings: &warnings)
            let ne0 = t.shape.last ?? 1
            if choice.type.blockElements > 1 && ne0 % choice.type.blockElements != 0 {
                throw PlanError.rowNotMultiple(tensor: t.name, rowLength: ne0, type: choice.type, reason: choice.reason.description)
            }
            let sourceBytes = try t.type.byteCount(shape: t.shape)
            let targetBytes = try choice.type.byteCount(shape: t.shape)
            planned.append(PlannedTensor(
                name: t.name, shape: t.shape, sourceType: t.type, targetType: choice.type, reason: choice.reason,
                fallbackFrom: choice.fallbackFrom,
                requiresImatrix: choice.quantizable && QuantPlanner.requiresImatrix(t.name, choice.type, fileType),
                quantizable: choice.quantizable, sourceBytes: sourceBytes, targetBytes: targetBytes))
        }
        let needing = planned.filter { $0.quantizable && $0.requiresImatrix }
        if !options.hasImatrix, let first = needing.first {
            // llama-quantize's dry run completes and warns; writing refuses (`QuantPlan.validateForWriting`).
            warnings.append("writing this plan will require an importance matrix (--imatrix): \(needing.count) tensor(s) "
                + "need one, the first \(first.name) (\(first.targetType.displayName)); \(PlanError.imatrixAdvice)")
        }
        if state.fallbackCount > 0 {
            warnings.append("\(state.fallbackCount) of \(ordered.count) tensor(s) required fallback quantization")
        }
        return QuantPlan(fileType: fileType, target: options.target, tensors: planned,
                         fallbackCount: state.fallbackCount, warnings: warnings, options: options)
    }

    // MARK: - llama_tensor_get_type

    private struct Choice {
        var type: ElementType
        var reason: PlanReason
        var fallbackFrom: ElementType?
        var quantizable: Bool
    }

    private func choose(_ t: TensorInfo, state: inout MixState, warnings: inout [String]) throws -> Choice {
        let name = t.name
        if let why = notQuantizableReason(t) {
            return Choice(type: t.type, reason: .kept(why), fallbackFrom: nil, quantizable: false)
        }
        let category = TensorCategory(name: name)
        if let embd = options.tokenEmbeddingType, category == .tokenEmbedding {
            // per_layer_token_embd follows --token-embedding-type unless a --tensor-type pattern names it.
            let named = name == "per_layer_token_embd.weight" && firstOverride(for: name) != nil
            if !named { return Choice(type: embd, reason: .tokenEmbeddingOption, fallbackFrom: nil, quantizable: true) }
        }
        if let out = options.outputTensorType, category == .output {
            return Choice(type: out, reason: .outputTensorOption, fallbackFrom: nil, quantizable: true)
        }

        let defaultType = fileType.defaultType
        var type = defaultType
        var reason: PlanReason = options.target.isSingle || options.pure ? .pure : .fileTypeDefault
        guard fileType.isQuantized else {
            return Choice(type: type, reason: .fileTypeDefault, fallbackFrom: nil, quantizable: true)
        }
        var manual = false
        if let o = firstOverride(for: name) {
            if o.type != type {
                warnings.append("\(name): applying manual override: \(type.ggmlName ?? "") -> \(o.type.ggmlName ?? "")")
            }
            type = o.type
            reason = .override(pattern: o.pattern)
            manual = true
        }
        if !manual && !(options.pure || options.target.isSingle) {
            let ruled = try state.mixType(type, name: name, shape: t.shape, category: category,
                                          outputTensorType: options.outputTensorType,
                                          tokenEmbeddingType: options.tokenEmbeddingType)
            type = ruled.type
            if let rule = ruled.rule { reason = .mixRule(rule) }
        }
        let before = type
        type = try state.fallback(name: name, rowLength: t.shape.last ?? 1, target: type, warnings: &warnings)
        return Choice(type: type, reason: reason, fallbackFrom: type == before ? nil : before, quantizable: true)
    }

    private func firstOverride(for name: String) -> TensorTypeOverride? {
        options.tensorTypeOverrides.first { $0.matches(name) }
    }

    // MARK: - tensor_allows_quantization

    /// Why llama.cpp (or Ingot's router rule) keeps `t` in its source type, or nil when it may be quantized.
    public func notQuantizableReason(_ t: TensorInfo) -> String? {
        if QuantPlanner.ggmlDimensionCount(t.shape) < 2 { return "1-D" }
        if options.keepRouterPrecision && QuantPlanner.isRouter(t.name) && !t.name.contains("ffn_gate_inp.weight") {
            return "MoE router (--keep-router-precision)"
        }
        if let why = QuantPlanner.llamaNotQuantizable(t.name, leaveOutputTensor: options.leaveOutputTensor) { return why }
        return nil
    }

    /// `tensor_allows_quantization`'s name rules (the 2-D check aside): why llama.cpp never quantizes `name`, or nil.
    public static func llamaNotQuantizable(_ name: String, leaveOutputTensor: Bool) -> String? {
        if !name.hasSuffix("weight") { return "not a weight" }
        if name.contains("_norm.weight") { return "norm" }
        if leaveOutputTensor && name == "output.weight" { return "--leave-output-tensor" }
        if name.contains("ffn_gate_inp.weight") { return "MoE router (ffn_gate_inp)" }
        if name == "position_embd.weight" || name == "token_types.weight" { return "position / token-type embedding" }
        for s in neverQuantizedSubstrings where name.contains(s) { return "small tensor llama.cpp keeps (\(s))" }
        return nil
    }

    /// Substrings `tensor_allows_quantization` excludes besides norms and routers.
    static let neverQuantizedSubstrings: [String] = [
        "ffn_gate_tid2eid.weight", "altup", "laurel", "per_layer_model_proj", "ssm_conv1d", "shortconv.conv.weight",
        "indexer.k_proj.weight", "indexer.q_proj.weight",
        "time_mix_first.weight", "time_mix_w0.weight", "time_mix_w1.weight", "time_mix_w2.weight",
        "time_mix_v0.weight", "time_mix_v1.weight", "time_mix_v2.weight", "time_mix_a0.weight", "time_mix_a1.weight",
        "time_mix_a2.weight", "time_mix_g1.weight", "time_mix_g2.weight", "time_mix_decay_w1.weight",
        "time_mix_decay_w2.weight", "time_mix_lerp_fused.weight", "attn_rel_b.weight",
        ".position_embd", "sam.pos_embd", "sam.neck.", "sam.net_", ".rel_pos", ".patch_embd", ".patch_merger",
        "a.rvq.codebook", "mm.a.code_embd",
    ]

    /// MoE router weights under any naming Ingot meets: GGUF `ffn_gate_inp`, Hugging Face gpt-oss `mlp.router.`,
    /// Mixtral `block_sparse_moe.gate.`, Qwen-MoE-style `mlp.gate.weight` (never the dense `gate_proj`).
    public static func isRouter(_ name: String) -> Bool {
        name.contains("ffn_gate_inp") || name.contains(".router.") || name.hasPrefix("router.")
            || name.hasSuffix(".gate.weight") || name.contains("block_sparse_moe.gate.")
    }

    /// `ggml_n_dims`: trailing size-1 dimensions of `ne` (leading ones of `shape`) do not count; at least 1.
    public static func ggmlDimensionCount(_ shape: [Int]) -> Int {
        let ne = Array(shape.reversed())
        var n = 1
        for i in stride(from: ne.count - 1, to: 0, by: -1) where ne[i] != 1 { n = i + 1; break }
        return n
    }

    /// The types `tensor_requires_imatrix` names (src/llama-quant.cpp), in its order.
    public static let imatrixTypes: [ElementType] = [.iq3_xxs, .iq2_xxs, .iq2_xs, .iq2_s, .iq1_m, .iq1_s]

    /// The rule in words, for messages: "IQ3_XXS, IQ2_XXS, … tensors (and Q2_K in a Q2_K_S file)".
    static var imatrixTypesText: String {
        imatrixTypes.map(\.displayName).joined(separator: ", ") + " tensors (and Q2_K in a Q2_K_S file)"
    }

    /// `tensor_requires_imatrix`: very low-bit types (and Q2_K inside a Q2_K_S file), never token_embd,
    /// per_layer_token_embd or output (`tensor_name_match_token_embd`, `tensor_name_match_output_weight`).
    /// It looks at the tensor's final type (after mix rules, overrides and fallbacks), as llama-quantize does.
    public static func requiresImatrix(_ name: String, _ type: ElementType, _ fileType: FileType) -> Bool {
        if name == "token_embd.weight" || name == "per_layer_token_embd.weight" || name == "output.weight" { return false }
        if imatrixTypes.contains(type) { return true }
        // "as a general rule, the k-type quantizations don't require imatrix data": only Q2_K in a Q2_K_S file.
        return type == .q2_K && fileType == .q2_K_S
    }

    // MARK: - Order

    /// `sscanf(name, "blk.%d.", &layer)`: the block number after `blk.`, or -1 (non-block tensors sort first).
    public static func blockNumber(_ name: String) -> Int? {
        let bytes = Array(name.utf8)
        let prefix = Array("blk.".utf8)
        guard bytes.count > prefix.count, Array(bytes[0..<prefix.count]) == prefix else { return nil }
        var i = prefix.count
        while i < bytes.count, bytes[i] == 0x20 || (bytes[i] >= 0x09 && bytes[i] <= 0x0d) { i += 1 } // %d skips spaces
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
            negative = bytes[i] == UInt8(ascii: "-")
            i += 1
        }
        var value = 0
        var digits = 0
        while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            // Clamp instead of overflowing: a hostile name cannot trap, and any real layer number is far smaller.
            value = min(value * 10 + Int(bytes[i] - 0x30), Int(Int32.max))
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        return negative ? -value : value
    }

    /// llama.cpp's `weight_name_comparer` order: block number (non-block tensors as -1) then name, bytewise.
    public static func llamaOrder(_ tensors: [TensorInfo]) -> [TensorInfo] {
        // Keys computed once: the comparator runs n log n times.
        let keys = tensors.map { (layer: blockNumber($0.name) ?? -1, bytes: Array($0.name.utf8)) }
        let order = tensors.indices.sorted { a, b in
            if keys[a].layer != keys[b].layer { return keys[a].layer < keys[b].layer }
            return keys[a].bytes.lexicographicallyPrecedes(keys[b].bytes)
        }
        return order.map { tensors[$0] }
    }
}

extension PlanModel {
    /// Reads the hyperparameters from GGUF metadata as llama.cpp's loader (`llama_model::load_hparams`) does, through
    /// the architecture's key table (the common rows when `general.architecture` is not one Ingot describes):
    /// `block_count` is required; `attention.head_count` and `attention.head_count_kv` may be per-layer arrays (the
    /// first element is used); KV heads default to the head count (`n_head_kv_arr = n_head_arr` before the optional
    /// read), experts to 0.
    public init(metadata: Metadata) throws {
        guard let arch = metadata["general.architecture"]?.stringValue else {
            throw PlanError.badModel("general.architecture is missing")
        }
        let table = ArchitectureRegistry.architecture(ggufName: arch)?.keys
            ?? KeyTable(common: CommonKeys.rows, own: [])
        func int(_ name: ParameterName) -> (key: String, value: Int?) {
            let key = table.row(name)?.gguf.key(arch: arch) ?? "\(arch).\(name.rawValue)"
            guard let row = table.row(name), let (_, v) = row.ggufEntry(metadata, arch: arch) else { return (key, nil) }
            if let a = v.arrayValue { return (key, a.first?.intValue) }
            return (key, v.intValue)
        }
        let blocks = int(.blockCount), headCount = int(.headCount)
        guard let layers = blocks.value else { throw PlanError.badModel("\(blocks.key) is missing") }
        guard let heads = headCount.value else { throw PlanError.badModel("\(headCount.key) is missing") }
        self.init(architecture: arch, layerCount: layers, headCount: heads,
                  headCountKV: int(.headCountKV).value ?? heads, expertCount: int(.expertCount).value ?? 0)
    }
}
