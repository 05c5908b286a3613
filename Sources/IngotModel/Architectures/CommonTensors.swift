/// Tensor entries several architectures share, so that a new architecture's map lists only what is its own.
/// The names are llama.cpp's `MODEL_TENSOR` spellings and transformers' `LlamaModel` layout, which most decoder
/// checkpoints follow.
public enum CommonTensors {
    /// Token embedding, final norm and output head (model-wide).
    public static let global: [TensorEntry] = [
        TensorEntry(.tokenEmbedding, layer: false, gguf: "token_embd.weight", hf: .plain("model.embed_tokens.weight")),
        TensorEntry(.outputNorm, layer: false, gguf: "output_norm.weight", hf: .plain("model.norm.weight")),
        TensorEntry(.output, layer: false, gguf: "output.weight", hf: .plain("lm_head.weight")),
    ]

    /// The attention block: its input norm, Q/K/V/O projections and their (optional) biases.
    public static let attention: [TensorEntry] = [
        TensorEntry(.attentionNorm, gguf: "attn_norm.weight", hf: .plain("input_layernorm.weight")),
        TensorEntry(.attentionQ, gguf: "attn_q.weight", hf: .plain("self_attn.q_proj.weight")),
        TensorEntry(.attentionQ, .bias, gguf: "attn_q.bias", hf: .plain("self_attn.q_proj.bias")),
        TensorEntry(.attentionK, gguf: "attn_k.weight", hf: .plain("self_attn.k_proj.weight")),
        TensorEntry(.attentionK, .bias, gguf: "attn_k.bias", hf: .plain("self_attn.k_proj.bias")),
        TensorEntry(.attentionV, gguf: "attn_v.weight", hf: .plain("self_attn.v_proj.weight")),
        TensorEntry(.attentionV, .bias, gguf: "attn_v.bias", hf: .plain("self_attn.v_proj.bias")),
        TensorEntry(.attentionOutput, gguf: "attn_output.weight", hf: .plain("self_attn.o_proj.weight")),
        TensorEntry(.attentionOutput, .bias, gguf: "attn_output.bias", hf: .plain("self_attn.o_proj.bias")),
    ]

    /// Token-embedding names of checkpoints no registered architecture describes (GPT-2's `transformer.wte`, a bare
    /// `embed_tokens`, multimodal wrappers' `language_model`): `inspect` reads a vocabulary size off them.
    public static let tokenEmbeddingFallbackNames: [String] = [
        "transformer.wte.weight", "embed_tokens.weight", "model.language_model.embed_tokens.weight",
    ]
}

extension ArchitectureRegistry {
    /// Every name a token-embedding matrix goes by: each registered architecture's token-embedding role in both
    /// worlds, then `CommonTensors.tokenEmbeddingFallbackNames`.
    public static var tokenEmbeddingNames: Set<String> {
        var names = Set(CommonTensors.tokenEmbeddingFallbackNames)
        for a in all {
            names.insert(a.tensors.ggufName(.tokenEmbedding, layer: nil))
            if let hf = a.tensors.hfName(.tokenEmbedding, layer: nil) { names.insert(hf) }
        }
        return names
    }
}
