/// The `quantization_config` object transformers writes into config.json for a bitsandbytes 4-bit model
/// (`BitsAndBytesConfig.to_dict()`, keys sorted as `save_pretrained` writes them; models.md §2.1).
///
/// JSON text in a fixed key order, so IngotQuant needs no JSON library; the converter parses it with IngotFormats'
/// JSON and inserts it into config.json.
public enum BitsAndBytesConfig {
    /// - Parameters:
    ///   - options: the quantization that produced the weights (type, double quantization).
    ///   - computeDType: `bnb_4bit_compute_dtype` (`float32`, `float16`, `bfloat16`).
    ///   - skipModules: `llm_int8_skip_modules` (modules left unquantized, e.g. `["lm_head"]`); nil writes `null`.
    public static func json(options: NF4Options, computeDType: String = "float32", skipModules: [String]? = nil) -> String {
        let skip = skipModules.map { "[" + $0.map { "\"\(Int8Tensor.jsonEscaped($0))\"" }.joined(separator: ", ") + "]" } ?? "null"
        return """
        {"_load_in_4bit": true, "_load_in_8bit": false, "bnb_4bit_compute_dtype": "\(computeDType)", \
        "bnb_4bit_quant_storage": "uint8", "bnb_4bit_quant_type": "\(options.type.rawValue)", \
        "bnb_4bit_use_double_quant": \(options.doubleQuant), "llm_int8_enable_fp32_cpu_offload": false, \
        "llm_int8_has_fp16_weight": false, "llm_int8_skip_modules": \(skip), "llm_int8_threshold": 6.0, \
        "load_in_4bit": true, "load_in_8bit": false, "quant_method": "bitsandbytes"}
        """
    }
}
