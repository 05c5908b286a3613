#!/usr/bin/env python3
"""Writes an F16 GGUF of a Hugging Face llama checkpoint with gguf-py, as convert_hf_to_gguf.py lays it out
(llama.cpp tensor names, q/k rows permuted for ggml's RoPE, norms in F32, tokenizer keys from tokenizer.json).
A benchmark helper for when Ingot's own converter is not at hand; only plain llama checkpoints.

Usage: hf_llama_to_gguf.py CHECKPOINT_DIR OUT.gguf
"""
import json, os, sys
import numpy as np
import gguf
from safetensors import safe_open


def permute(w, n_head):
    return w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def main():
    src, out = sys.argv[1], sys.argv[2]
    cfg = json.load(open(os.path.join(src, "config.json")))
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    nkv = cfg.get("num_key_value_heads") or nh
    hd = cfg.get("head_dim") or H // nh
    w = gguf.GGUFWriter(out, "llama")
    w.add_block_count(cfg["num_hidden_layers"])
    w.add_context_length(cfg.get("max_position_embeddings", 2048))
    w.add_embedding_length(H)
    w.add_feed_forward_length(cfg["intermediate_size"])
    w.add_head_count(nh)
    w.add_head_count_kv(nkv)
    rp = cfg.get("rope_parameters") or {}
    w.add_rope_freq_base(float(rp.get("rope_theta", cfg.get("rope_theta", 10000.0))))
    w.add_layer_norm_rms_eps(float(cfg.get("rms_norm_eps", 1e-5)))
    w.add_rope_dimension_count(hd)
    w.add_vocab_size(cfg["vocab_size"])
    w.add_file_type(1)
    tj = os.path.join(src, "tokenizer.json")
    if os.path.exists(tj):
        t = json.load(open(tj))
        vocab = t["model"]["vocab"]
        for a in t.get("added_tokens", []):
            vocab[a["content"]] = a["id"]
        toks = [None] * cfg["vocab_size"]
        for k, i in vocab.items():
            if i < len(toks):
                toks[i] = k
        specials = {a["id"] for a in t.get("added_tokens", []) if a.get("special")}
        toks = [x if x is not None else f"[PAD{i}]" for i, x in enumerate(toks)]
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre("llama-bpe")
        w.add_token_list(toks)
        w.add_token_types([3 if i in specials else 1 for i in range(len(toks))])
        merges = t["model"].get("merges", [])
        w.add_token_merges([m if isinstance(m, str) else " ".join(m) for m in merges])
        if cfg.get("bos_token_id") is not None:
            w.add_bos_token_id(cfg["bos_token_id"])
        if cfg.get("eos_token_id") is not None:
            w.add_eos_token_id(cfg["eos_token_id"] if isinstance(cfg["eos_token_id"], int) else cfg["eos_token_id"][0])
        w.add_add_bos_token(True)
    names = {"model.embed_tokens": "token_embd", "model.norm": "output_norm", "lm_head": "output"}
    sub = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
           "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
           "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    files = sorted(f for f in os.listdir(src) if f.endswith(".safetensors"))
    for f in files:
        with safe_open(os.path.join(src, f), "np") as st:
            for k in st.keys():
                x = st.get_tensor(k)
                base, suffix = k.rsplit(".", 1)
                if base.startswith("model.layers."):
                    parts = base.split(".")
                    n = f"blk.{parts[2]}." + sub[".".join(parts[3:])]
                else:
                    n = names[base]
                if n.endswith("attn_q"):
                    x = permute(x, nh)
                elif n.endswith("attn_k"):
                    x = permute(x, nkv)
                x = x.astype(np.float32) if x.ndim == 1 else x.astype(np.float16)
                w.add_tensor(n + "." + suffix, x)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
