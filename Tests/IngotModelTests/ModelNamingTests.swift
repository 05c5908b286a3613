import Testing
@testable import IngotModel

/// gguf-py 0.19's own answers (Metadata.get_model_id_components, id_to_title, model_weight_count_rounded_notation),
/// recorded by running it on these inputs.
struct ModelNamingTests {
    typealias C = ModelNaming.Components

    @Test(arguments: [
        ("tiny-llama", 5_112_832, C(fullName: "tiny-llama"), "Tiny Llama"),
        ("tiny-gptoss-mxfp4", 0, C(fullName: "tiny-gptoss-mxfp4"), "Tiny Gptoss Mxfp4"),
        ("meta-llama/Llama-3.1-8B-Instruct", 8_000_000_000,
         C(fullName: "Llama-3.1-8B-Instruct", organization: "meta-llama", basename: "Llama-3.1", finetune: "Instruct",
           sizeLabel: "8B"), "Llama 3.1 8B Instruct"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46_700_000_000,
         C(fullName: "Mixtral-8x7B-Instruct-v0.1", organization: "mistralai", basename: "Mixtral", finetune: "Instruct",
           version: "v0.1", sizeLabel: "8x7B"), "Mixtral 8x7B Instruct v0.1"),
        ("bigscience/bloom-7b1", 7_000_000_000,
         C(fullName: "bloom-7b1", organization: "bigscience", basename: "bloom", sizeLabel: "7.1B"), "Bloom 7b1"),
        ("Qwen2.5-0.5B-chat", 500_000_000,
         C(fullName: "Qwen2.5-0.5B-chat", basename: "Qwen2.5", finetune: "chat", sizeLabel: "0.5B"), "Qwen2.5 0.5B Chat"),
        ("gpt4o-mini", 0, C(fullName: "gpt4o-mini", basename: "gpt4o", sizeLabel: "mini"), "Gpt4O Mini"),
        ("openai/gpt-oss-20b", 20_900_000_000,
         C(fullName: "gpt-oss-20b", organization: "openai", basename: "gpt-oss", sizeLabel: "20B"), "Gpt Oss 20b"),
        ("Meta-Llama-3-8B-128k", 8_000_000_000,
         C(fullName: "Meta-Llama-3-8B-128k", basename: "Meta-Llama-3", finetune: "128k", sizeLabel: "8B"),
         "Meta Llama 3 8B 128k"),
    ])
    func componentsAndTitle(id: String, params: Int, expected: C, title: String) {
        #expect(ModelNaming.components(id, totalParams: params) == expected)
        #expect(ModelNaming.title(expected.fullName!) == title)
    }

    @Test(arguments: [(5_112_832, "5.1M"), (999, "1.0K"), (1_500_000, "1.5M"), (2_950_000, "2.9M"),
                      (20_914_757_184, "21B"), (1_234_567_890_123, "1.2T"), (99_500_000, "100M")])
    func roundedNotation(count: Int, expected: String) {
        #expect(ModelNaming.roundedNotation(count, minDigits: 2) == expected)
    }
}
