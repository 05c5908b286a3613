import IngotCore

/// llama.cpp's `tensor_category`: substring matches on the GGUF name, first match wins (`tensor_get_category`).
enum TensorCategory: Equatable {
    case tokenEmbedding, attentionQ, attentionV, attentionK, attentionQKV, attentionKVB, attentionOutput
    case ffnUp, ffnGate, ffnDown, output, other

    init(name: String) {
        if name == "output.weight" { self = .output }
        else if name == "token_embd.weight" || name == "per_layer_token_embd.weight" { self = .tokenEmbedding }
        else if name.contains("attn_qkv.weight") { self = .attentionQKV }
        else if name.contains("attn_kv_b.weight") { self = .attentionKVB }
        else if name.contains("attn_v.weight") { self = .attentionV }
        else if name.contains("attn_k.weight") { self = .attentionK }
        else if name.contains("attn_q.weight") { self = .attentionQ }
        else if name.contains("attn_output.weight") { self = .attentionOutput }
        else if name.contains("ffn_up") { self = .ffnUp }
        else if name.contains("ffn_gate") { self = .ffnGate }
        else if name.contains("ffn_down") { self = .ffnDown }
        else { self = .other }
    }

    /// `category_is_attn_v`: attn_v, attn_qkv and attn_kv_b share the "more sensitive" rules.
    var isAttentionV: Bool { self == .attentionV || self == .attentionQKV || self == .attentionKVB }
}

/// `use_more_bits(i, n)`: the first and last eighth of the layers and every third layer between (C integer division).
func useMoreBits(_ i: Int, _ n: Int) -> Bool {
    i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
}

/// The counters of `quantize_state_impl` and the mix rules that read them (`llama_tensor_get_type_impl`).
struct MixState {
    let model: PlanModel
    let fileType: FileType
    let hasImatrix: Bool

    var attentionWVCount = 0   // n_attention_wv
    var attentionWVIndex = 0   // i_attention_wv
    var ffnDownIndex = 0       // i_ffn_down
    var ffnGateIndex = 0       // i_ffn_gate
    var ffnUpIndex = 0         // i_ffn_up
    var hasTiedEmbeddings = true
    var fallbackCount = 0

    init(model: PlanModel, fileType: FileType, hasImatrix: Bool) {
        self.model = model
        self.fileType = fileType
        self.hasImatrix = hasImatrix
    }

    /// `init_quantize_state_counters`: over every tensor of the model, quantizable or not.
    mutating func count(_ names: [String]) {
        for n in names {
            let c = TensorCategory(name: n)
            if c.isAttentionV { attentionWVCount += 1 }
            if c == .output { hasTiedEmbeddings = false }
        }
    }

    /// n_ffn_down = n_ffn_gate = n_ffn_up = n_layer_all.
    var ffnLayerCount: Int { model.layerCount }

    /// `layer_info`: for expert models the layer is parsed from the name (experts need not be consecutive),
    /// else the running counter is used.
    func layerInfo(_ counter: Int, name: String) throws -> Int {
        guard max(1, model.expertCount) > 1 else { return counter }
        guard let layer = QuantPlanner.blockNumber(name) else {
            throw PlanError.badLayer(tensor: name, layer: nil, layerCount: ffnLayerCount)
        }
        guard layer >= 0 && layer < ffnLayerCount else {
            throw PlanError.badLayer(tensor: name, layer: layer, layerCount: ffnLayerCount)
        }
        return layer
    }

    // MARK: - llama_tensor_get_type_impl

    /// The mix rules. Returns the type and a description of the rule that fired (nil when none changed anything).
    mutating func mixType(_ start: ElementType, name: String, shape: [Int], category: TensorCategory,
                          outputTensorType: ElementType?, tokenEmbeddingType: ElementType?) throws
        -> (type: ElementType, rule: String?) {
        let ft = fileType
        let arch = model.architecture
        let isFalcon = arch == "falcon"
        let nExpert = model.expertCount
        let gqa = model.gqa
        var t = start
        var rule: String? = nil
        func set(_ new: ElementType, _ why: String) { t = new; rule = why }

        let lowIQ: Set<FileType> = [.iq2_xxs, .iq2_xs, .iq1_s, .iq2_s, .iq2_m, .iq1_m]

        if category == .output || (hasTiedEmbeddings && category == .tokenEmbedding) {
            let what = category == .output ? "output" : "tied token_embd"
            if let out = outputTensorType {
                set(out, "\(what): --output-tensor-type")
            } else {
                let nx = shape.last ?? 1
                if ft == .mxfp4_moe {
                    set(.q8_0, "\(what): MXFP4_MOE → q8_0")
                } else if isFalcon || nx % t.blockElements != 0 {
                    set(.q8_0, isFalcon ? "\(what): falcon → q8_0" : "\(what): row \(nx) not a multiple of \(t.blockElements) → q8_0")
                } else if [.iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq2_s, .iq2_m, .iq1_m].contains(ft) {
                    set(.q5_K, "\(what): \(ft.name) → q5_K")
                } else if t != .q8_0 {
                    set(.q6_K, "\(what) → q6_K")
                }
            }
        } else if ft == .mxfp4_moe {
            // BailingMoE3's 3-D MLA projections are special-cased upstream; no architecture Ingot converts has them.
            if (shape.count >= 3 ? shape[shape.count - 3] : 1) > 1 {
                set(.mxfp4, "MXFP4_MOE: expert tensor → mxfp4")
            } else {
                set(.q8_0, "MXFP4_MOE: non-expert tensor → q8_0")
            }
        } else if category == .tokenEmbedding {
            if let e = tokenEmbeddingType {
                set(e, "token_embd: --token-embedding-type")
            } else if [.iq2_xxs, .iq2_xs, .iq1_s, .iq1_m].contains(ft) {
                set(.q2_K, "token_embd: \(ft.name) → q2_K")
            } else if ft == .iq2_s || ft == .iq2_m || ft == .iq3_xxs {
                set(.iq3_s, "token_embd: \(ft.name) → iq3_s")
            } else if ft == .tq1_0 || ft == .tq2_0 || ft == .q2_0 {
                set(.q4_K, "token_embd: \(ft.name) → q4_K")
            }
        } else if lowIQ.contains(ft) {
            if category.isAttentionV {
                if gqa >= 4 || nExpert >= 4 {
                    set(.q4_K, "attn_v: \(ft.name) with GQA \(gqa) / \(nExpert) experts → q4_K")
                } else {
                    let v: ElementType = ft == .iq2_s || ft == .iq2_m ? .iq3_s : .q2_K
                    set(v, "attn_v: \(ft.name) → \(v.ggmlName!)")
                }
                attentionWVIndex += 1
            } else if nExpert == 8 && category == .attentionK {
                set(.q4_K, "attn_k: 8 experts → q4_K")
            } else if category == .ffnDown {
                // This branch uses the running counter, not layer_info, as upstream does.
                if ffnDownIndex < ffnLayerCount / 8 {
                    let v: ElementType = ft == .iq2_s || ft == .iq2_m ? .iq3_s : .q2_K
                    set(v, "ffn_down: layer \(ffnDownIndex) < n/8 → \(v.ggmlName!)")
                }
                ffnDownIndex += 1
            } else if category == .attentionOutput {
                if nExpert == 8 {
                    set(.q5_K, "attn_output: 8 experts → q5_K")
                } else if ft == .iq1_s || ft == .iq1_m {
                    set(.iq2_xxs, "attn_output: \(ft.name) → iq2_xxs")
                } else if ft == .iq2_s || ft == .iq2_m {
                    set(.iq3_s, "attn_output: \(ft.name) → iq3_s")
                }
            }
        } else if category.isAttentionV {
            let i = attentionWVIndex, n = attentionWVCount
            switch ft {
            case .q2_K:
                set(gqa >= 4 ? .q4_K : .q3_K, "attn_v: Q2_K, GQA \(gqa) → \(gqa >= 4 ? "q4_K" : "q3_K")")
            case .q2_K_S where gqa >= 4:
                set(.q4_K, "attn_v: Q2_K_S, GQA \(gqa) → q4_K")
            case .iq3_xxs:
                let v: ElementType = gqa >= 4 ? .q4_K : !hasImatrix ? .iq3_s : .iq3_xxs
                set(v, "attn_v: IQ3_XXS → \(v.ggmlName!)")
            case .iq3_xs where gqa >= 4, .iq3_s where gqa >= 4:
                set(.q4_K, "attn_v: \(ft.name), GQA \(gqa) → q4_K")
            case .iq3_m:
                set(.q4_K, "attn_v: IQ3_M → q4_K")
            case .q3_K_M:
                set(i < 2 ? .q5_K : .q4_K, "attn_v: Q3_K_M, #\(i) → \(i < 2 ? "q5_K" : "q4_K")")
            case .q3_K_L:
                set(.q5_K, "attn_v: Q3_K_L → q5_K")
            case .iq4_nl where gqa >= 4, .iq4_xs where gqa >= 4:
                set(.q5_K, "attn_v: \(ft.name), GQA \(gqa) → q5_K")
            case .q4_K_M where useMoreBits(i, n), .q5_K_M where useMoreBits(i, n):
                set(.q6_K, "attn_v: use_more_bits(\(i), \(n)) → q6_K")
            case .q4_K_S where i < 4:
                set(.q5_K, "attn_v: Q4_K_S, #\(i) < 4 → q5_K")
            default:
                break
            }
            if model.is70B && (t == .q3_K || t == .q4_K) {
                set(.q5_K, (rule.map { $0 + "; " } ?? "attn_v: ") + "70B → q5_K")
            }
            if nExpert == 8 {
                set(.q8_0, "attn_v: 8 experts → q8_0")
            }
            attentionWVIndex += 1
        } else if category == .attentionK {
            if nExpert == 8 {
                set(.q8_0, "attn_k: 8 experts → q8_0")
            } else if ft == .iq3_xs {
                set(.iq3_xxs, "attn_k: IQ3_XS → iq3_xxs")
            } else if ft == .iq3_xxs {
                set(.iq2_s, "attn_k: IQ3_XXS → iq2_s")
            }
        } else if category == .attentionQ {
            if ft == .iq3_xs {
                set(.iq3_xxs, "attn_q: IQ3_XS → iq3_xxs")
            } else if ft == .iq3_xxs {
                set(.iq2_s, "attn_q: IQ3_XXS → iq2_s")
            }
        } else if category == .ffnDown {
            let i = try layerInfo(ffnDownIndex, name: name)
            let n = ffnLayerCount
            let more = useMoreBits(i, n)
            if ft == .q2_K {
                set(.q3_K, "ffn_down: Q2_K → q3_K")
            } else if ft == .q2_K_S {
                if i < n / 8 { set(.q4_K, "ffn_down: Q2_K_S, layer \(i) < n/8 → q4_K") }
            } else if ft == .iq3_xxs && !hasImatrix {
                set(i < n / 8 ? .q4_K : .q3_K, "ffn_down: IQ3_XXS without imatrix, layer \(i) → \(i < n / 8 ? "q4_K" : "q3_K")")
            } else if ft == .q3_K_M {
                let v: ElementType = i < n / 16 ? .q5_K : (!isFalcon || more) ? .q4_K : .q3_K
                set(v, "ffn_down: Q3_K_M, layer \(i) → \(v.ggmlName!)")
            } else if ft == .iq3_m && (i < n / 8 || (nExpert == 8 && more)) {
                set(.q4_K, "ffn_down: IQ3_M, layer \(i) → q4_K")
            } else if ft == .q3_K_L {
                set(isFalcon ? .q4_K : .q5_K, "ffn_down: Q3_K_L → \(isFalcon ? "q4_K" : "q5_K")")
            } else if ft == .q4_K_M {
                if isFalcon {
                    let v: ElementType = i < n / 16 ? .q6_K : more ? .q5_K : .q4_K
                    set(v, "ffn_down: Q4_K_M falcon, layer \(i) → \(v.ggmlName!)")
                } else if more {
                    set(.q6_K, "ffn_down: use_more_bits(\(i), \(n)) → q6_K")
                }
            } else if i < n / 8 && (ft == .iq4_nl || ft == .iq4_xs) && !hasImatrix {
                set(.q5_K, "ffn_down: \(ft.name) without imatrix, layer \(i) < n/8 → q5_K")
            } else if ft == .q5_K_M && more {
                set(.q6_K, "ffn_down: use_more_bits(\(i), \(n)) → q6_K")
            } else if ft == .q4_K_S && !isFalcon && i < n / 8 {
                set(.q5_K, "ffn_down: Q4_K_S, layer \(i) < n/8 → q5_K")
            } else if (ft == .q4_0 || ft == .q5_0) && hasImatrix && i < n / 8 {
                let v: ElementType = ft == .q4_0 ? .q4_1 : .q5_1
                set(v, "ffn_down: \(ft.name) with imatrix, layer \(i) < n/8 → \(v.ggmlName!)")
            }
            ffnDownIndex += 1
        } else if category == .attentionOutput {
            if !isFalcon {
                if nExpert == 8 {
                    let bumped: Set<FileType> = [.q2_K, .iq3_xs, .iq3_xxs, .q3_K_S, .q3_K_M, .iq4_nl, .q4_K_S, .q4_K_M,
                                                 .iq3_s, .iq3_m, .iq4_xs]
                    if bumped.contains(ft) { set(.q5_K, "attn_output: 8 experts → q5_K") }
                } else {
                    switch ft {
                    case .q2_K: set(.q3_K, "attn_output: Q2_K → q3_K")
                    case .iq3_xxs: set(.iq3_s, "attn_output: IQ3_XXS → iq3_s")
                    case .q3_K_M: set(.q4_K, "attn_output: Q3_K_M → q4_K")
                    case .q3_K_L: set(.q5_K, "attn_output: Q3_K_L → q5_K")
                    case .iq3_m: set(.q4_K, "attn_output: IQ3_M → q4_K")
                    default: break
                    }
                }
            } else if ft == .q3_K_L {
                set(.q4_K, "attn_output: Q3_K_L falcon → q4_K")
            }
        } else if category == .attentionQKV {
            // Unreachable upstream too (attn_qkv is caught by the attn_v branch above); kept to mirror the source.
            if ft == .q3_K_M || ft == .q3_K_L || ft == .iq3_m {
                set(.q4_K, "attn_qkv: \(ft.name) → q4_K")
            } else if ft == .q4_K_M {
                set(.q5_K, "attn_qkv: Q4_K_M → q5_K")
            } else if ft == .q5_K_M {
                set(.q6_K, "attn_qkv: Q5_K_M → q6_K")
            }
        } else if category == .ffnGate {
            let i = try layerInfo(ffnGateIndex, name: name)
            let n = ffnLayerCount
            if ft == .iq3_xs && i >= n / 8 && i < 7 * n / 8 { set(.iq3_xxs, "ffn_gate: IQ3_XS, layer \(i) → iq3_xxs") }
            ffnGateIndex += 1
        } else if category == .ffnUp {
            let i = try layerInfo(ffnUpIndex, name: name)
            let n = ffnLayerCount
            if ft == .iq3_xs && i >= n / 8 && i < 7 * n / 8 { set(.iq3_xxs, "ffn_up: IQ3_XS, layer \(i) → iq3_xxs") }
            ffnUpIndex += 1
        }
        return (t, rule)
    }

    // MARK: - tensor_type_fallback

    /// The substitute for a target whose block does not divide the row; F16 when the substitute does not either.
    mutating func fallback(name: String, rowLength ncols: Int, target: ElementType, warnings: inout [String]) throws -> ElementType {
        let qk = target.blockElements
        if ncols % qk == 0 { return target }
        fallbackCount += 1
        var result: ElementType
        switch target {
        case .iq1_s, .iq1_m, .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq4_xs: result = .iq4_nl
        case .q2_0, .q2_K, .q3_K, .tq1_0, .tq2_0: result = .q4_0
        case .q4_K: result = .q5_0
        case .q5_K: result = .q5_1
        case .q6_K: result = .q8_0
        default:
            // Nothing smaller to demote a 32-element block type to: F16 below.
            guard qk <= 32 else { throw PlanError.noFallback(tensor: name, type: target) }
            result = .f16
        }
        var note = ""
        if ncols % result.blockElements != 0 {
            result = .f16
            note = " (must use F16 due to unusual shape)"
        }
        warnings.append("\(name): ncols \(ncols) not divisible by \(qk) (required for type \(target.ggmlName ?? "")),"
            + " falling back to \(result.ggmlName ?? "")\(note)")
        return result
    }
}
