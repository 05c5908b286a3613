/// Rotary position embedding scaling, as transformers 5.24 computes `inv_freq` (shared/docs/models.md §3.3).
public enum RopeScaling: Equatable, Sendable {
    case none
    /// `inv_freq / factor`.
    case linear(factor: Double)
    /// Llama 3.1's per-wavelength blend.
    case llama3(factor: Double, lowFreqFactor: Double, highFreqFactor: Double, originalContext: Double)
    /// YaRN, with its attention factor (`mscale`); `truncate` false is gpt-oss's setting.
    case yarn(factor: Double, originalContext: Double, betaFast: Double, betaSlow: Double, truncate: Bool,
              attentionFactor: Double?, mscale: Double?, mscaleAllDim: Double?)
    /// llama.cpp's `rope_freqs` tensor: `inv_freq[i] / factors[i]` (how a GGUF stores llama3 scaling).
    case frequencyFactors([Float])
}

/// Which pairs of a head's dimensions rotate together.
public enum RopeStyle: Sendable {
    /// `(i, i + d/2)`: transformers' rotate_half, and GGUF NeoX-style models (gpt-oss).
    case halves
    /// `(2i, 2i + 1)`: ggml's normal mode, for GGUF llama whose q/k rows the converter permuted.
    case interleaved
}
