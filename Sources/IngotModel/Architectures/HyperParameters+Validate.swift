import IngotCore

extension HyperParameters {
    /// Checks the relations the forward pass relies on. `world` says where the values were read from, so the error
    /// names the key as that file spells it (through the key table's row): `num_key_value_heads` for a config.json,
    /// `llama.attention.head_count_kv` for a GGUF. Errors are `ConfigError`s naming `file`.
    public func validate(file: String, world: TensorWorld) throws {
        let description = architectureDescription
        let table = description?.keys ?? KeyTable(common: CommonKeys.rows, own: [])
        let arch = description?.ggufName ?? architecture.rawValue
        /// The key of row `name` in this world; rows an architecture's table lacks are named by their common row.
        func key(_ name: ParameterName) -> String {
            let row = table.row(name) ?? Self.fallbackRows.first { $0.name == name }
            return row?.messageKey(gguf: world == .gguf, arch: arch) ?? name.rawValue
        }
        func bad(_ name: ParameterName, _ message: String) -> ConfigError {
            ConfigError(path: file, key: key(name), message: message)
        }
        // The width the forward pass uses: the per-expert one where the table has it (gpt-oss).
        let ffn: ParameterName = table.row(.expertFeedForwardLength) != nil ? .expertFeedForwardLength : .feedForwardLength
        for (name, v) in [(ParameterName.vocabSize, vocabSize), (.embeddingLength, hiddenSize), (ffn, intermediateSize),
                          (.blockCount, layers), (.headCount, heads), (.headCountKV, kvHeads), (.keyLength, headDim)]
            where v <= 0 || v > 1 << 24 {
            throw bad(name, "\(v) is not a usable size")
        }
        // Expert counts size per-expert tables: a negative or absurd one is refused for every architecture.
        guard experts >= 0 && experts <= 1 << 16 else { throw bad(.expertCount, "\(experts) is not a usable expert count") }
        guard expertsPerToken >= 0 && expertsPerToken <= max(experts, 1) else {
            throw bad(.expertUsedCount, "\(expertsPerToken) is outside 0…\(experts)")
        }
        guard heads % kvHeads == 0 else {
            throw bad(.headCountKV, "\(heads) heads are not a multiple of \(kvHeads) KV heads")
        }
        guard headDim % 2 == 0 else { throw bad(.keyLength, "\(headDim) is odd; RoPE needs pairs") }
        if description?.hasExperts ?? (experts > 0) {
            guard experts > 0 else { throw bad(.expertCount, "an MoE model needs at least one expert") }
            guard expertsPerToken >= 1 && expertsPerToken <= experts else {
                throw bad(.expertUsedCount, "\(expertsPerToken) is outside 1…\(experts)")
            }
        }
        if let w = slidingWindow, w <= 0 { throw bad(.slidingWindow, "\(w) must be positive") }
        if slidingWindow != nil && slidingLayers.count != layers {
            // config.json's per-layer list; a GGUF's pattern comes from the architecture and always fits.
            throw ConfigError(path: file, key: world == .gguf ? key(.slidingWindow) : "layer_types",
                              message: "\(slidingLayers.count) entries for \(layers) layers")
        }
        if !(rmsEps > 0) { throw bad(.rmsEpsilon, "\(rmsEps) must be positive") }
        if !(ropeTheta > 0) { throw bad(.ropeFreqBase, "\(ropeTheta) must be positive") }
    }

    /// Rows named in messages when an architecture's table lacks them (a dense llama has no sliding window).
    static let fallbackRows: [KeyRow] = [
        CommonKeys.vocabSize(write: .never),
        CommonKeys.slidingWindow(gguf: .arch("attention.sliding_window"), write: .never),
        CommonKeys.ropeDimensionCount(write: .never),
    ]
}
