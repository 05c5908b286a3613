import IngotCore

extension ModelWeights {
    /// Binds a transformers checkpoint's tensors (shared/docs/models.md §3.1, §3.5–3.7).
    static func bindHF(_ spec: ModelSpec, _ b: WeightBinder) throws -> ModelWeights {
        let H = spec.hiddenSize, I = spec.intermediateSize, E = spec.experts
        let qOut = spec.heads * spec.headDim, kvOut = spec.kvHeads * spec.headDim
        var layers: [LayerWeights] = []
        for l in 0..<spec.layers {
            let p = "model.layers.\(l)."
            let ab = spec.attentionBias
            let attn = AttentionWeights(
                q: try b.linear(p + "self_attn.q_proj.weight", out: qOut, in: H, bias: ab ? p + "self_attn.q_proj.bias" : nil),
                k: try b.linear(p + "self_attn.k_proj.weight", out: kvOut, in: H, bias: ab ? p + "self_attn.k_proj.bias" : nil),
                v: try b.linear(p + "self_attn.v_proj.weight", out: kvOut, in: H, bias: ab ? p + "self_attn.v_proj.bias" : nil),
                o: try b.linear(p + "self_attn.o_proj.weight", out: H, in: qOut, bias: ab ? p + "self_attn.o_proj.bias" : nil),
                sinks: spec.architecture == .gptOss ? try b.vector(p + "self_attn.sinks", count: spec.heads) : nil)
            let ffn: FeedForward
            switch spec.architecture {
            case .llama:
                let mb = spec.mlpBias
                ffn = .dense(FeedForwardWeights(
                    gateUp: .separate(gate: try b.linear(p + "mlp.gate_proj.weight", out: I, in: H, bias: mb ? p + "mlp.gate_proj.bias" : nil),
                                      up: try b.linear(p + "mlp.up_proj.weight", out: I, in: H, bias: mb ? p + "mlp.up_proj.bias" : nil)),
                    down: try b.linear(p + "mlp.down_proj.weight", out: H, in: I, bias: mb ? p + "mlp.down_proj.bias" : nil)))
            case .mixtral:
                let m = p + "block_sparse_moe."
                let experts = try (0..<E).map { e in
                    FeedForwardWeights(
                        gateUp: .separate(gate: try b.linear(m + "experts.\(e).w1.weight", out: I, in: H),
                                          up: try b.linear(m + "experts.\(e).w3.weight", out: I, in: H)),
                        down: try b.linear(m + "experts.\(e).w2.weight", out: H, in: I))
                }
                ffn = .moe(MoEWeights(router: try b.linear(m + "gate.weight", out: E, in: H),
                                      routing: .softmaxThenTopK, experts: experts))
            case .gptOss:
                let m = p + "mlp.experts."
                let mxfp4 = b.has(m + "gate_up_proj_blocks")
                let experts = try (0..<E).map { e -> FeedForwardWeights in
                    let gu: WeightMatrix, dn: WeightMatrix
                    if mxfp4 {
                        gu = try b.expertMXFP4(m + "gate_up_proj", expert: e, experts: E, out: 2 * I, in: H)
                        dn = try b.expertMXFP4(m + "down_proj", expert: e, experts: E, out: H, in: I)
                    } else {
                        gu = try b.expertMatrixTransposed(m + "gate_up_proj", expert: e, experts: E, out: 2 * I, in: H)
                        dn = try b.expertMatrixTransposed(m + "down_proj", expert: e, experts: E, out: H, in: I)
                    }
                    return FeedForwardWeights(
                        gateUp: .interleaved(Linear(weight: gu, bias: try b.expertVector(m + "gate_up_proj_bias", expert: e, experts: E, count: 2 * I))),
                        down: Linear(weight: dn, bias: try b.expertVector(m + "down_proj_bias", expert: e, experts: E, count: H)))
                }
                ffn = .moe(MoEWeights(router: try b.linear(p + "mlp.router.weight", out: E, in: H, bias: p + "mlp.router.bias", requireBias: true),
                                      routing: .topKThenSoftmax, experts: experts))
            }
            layers.append(LayerWeights(attentionNorm: try b.vector(p + "input_layernorm.weight", count: H), attention: attn,
                                       ffnNorm: try b.vector(p + "post_attention_layernorm.weight", count: H), ffn: ffn))
        }
        let embed = try b.matrix("model.embed_tokens.weight", rows: spec.vocabSize, cols: H)
        let output = spec.tieEmbeddings && !b.has("lm_head.weight") ? embed : try b.matrix("lm_head.weight", rows: spec.vocabSize, cols: H)
        return ModelWeights(embedding: embed, layers: layers, finalNorm: try b.vector("model.norm.weight", count: H),
                            output: output, ropeFrequencyFactors: nil)
    }

    /// Binds a llama.cpp GGUF's tensors (shared/docs/gguf-and-quants.md §8.3).
    static func bindGGUF(_ spec: ModelSpec, _ b: WeightBinder) throws -> ModelWeights {
        let H = spec.hiddenSize, I = spec.intermediateSize, E = spec.experts
        let qOut = spec.heads * spec.headDim, kvOut = spec.kvHeads * spec.headDim
        var layers: [LayerWeights] = []
        for l in 0..<spec.layers {
            let p = "blk.\(l)."
            let attn = AttentionWeights(
                q: try b.linear(p + "attn_q.weight", out: qOut, in: H, bias: p + "attn_q.bias"),
                k: try b.linear(p + "attn_k.weight", out: kvOut, in: H, bias: p + "attn_k.bias"),
                v: try b.linear(p + "attn_v.weight", out: kvOut, in: H, bias: p + "attn_v.bias"),
                o: try b.linear(p + "attn_output.weight", out: H, in: qOut, bias: p + "attn_output.bias"),
                sinks: spec.architecture == .gptOss ? try b.vector(p + "attn_sinks.weight", count: spec.heads) : nil)
            let ffn: FeedForward
            if E == 0 {
                ffn = .dense(FeedForwardWeights(
                    gateUp: .separate(gate: try b.linear(p + "ffn_gate.weight", out: I, in: H, bias: p + "ffn_gate.bias"),
                                      up: try b.linear(p + "ffn_up.weight", out: I, in: H, bias: p + "ffn_up.bias")),
                    down: try b.linear(p + "ffn_down.weight", out: H, in: I, bias: p + "ffn_down.bias")))
            } else {
                let biased = b.has(p + "ffn_gate_exps.bias")
                let experts = try (0..<E).map { e -> FeedForwardWeights in
                    func lin(_ n: String, out: Int, in inF: Int) throws -> Linear {
                        Linear(weight: try b.expertMatrix(p + n + ".weight", expert: e, experts: E, rows: out, cols: inF),
                               bias: biased ? try b.expertVector(p + n + ".bias", expert: e, experts: E, count: out) : nil)
                    }
                    return FeedForwardWeights(gateUp: .separate(gate: try lin("ffn_gate_exps", out: I, in: H),
                                                                up: try lin("ffn_up_exps", out: I, in: H)),
                                              down: try lin("ffn_down_exps", out: H, in: I))
                }
                ffn = .moe(MoEWeights(router: try b.linear(p + "ffn_gate_inp.weight", out: E, in: H, bias: p + "ffn_gate_inp.bias"),
                                      routing: spec.architecture == .gptOss ? .topKThenSoftmax : .softmaxThenTopK,
                                      experts: experts))
            }
            let postNorm = spec.architecture == .gptOss ? "post_attention_norm.weight" : "ffn_norm.weight"
            layers.append(LayerWeights(attentionNorm: try b.vector(p + "attn_norm.weight", count: H), attention: attn,
                                       ffnNorm: try b.vector(p + postNorm, count: H), ffn: ffn))
        }
        let embed = try b.matrix("token_embd.weight", rows: spec.vocabSize, cols: H)
        let output = b.has("output.weight") ? try b.matrix("output.weight", rows: spec.vocabSize, cols: H) : embed
        return ModelWeights(embedding: embed, layers: layers, finalNorm: try b.vector("output_norm.weight", count: H),
                            output: output, ropeFrequencyFactors: try b.optionalVector("rope_freqs.weight", count: spec.headDim / 2))
    }
}
