import Foundation
import IngotCore
import IngotModel
import Testing
@testable import IngotInference

/// A description whose map names a tensor role the forward pass does not compute (qwen3's q/k norm, here on
/// llama's map): loading it is refused naming the role, instead of running the model without that operation.
private struct LlamaWithQNorm: ArchitectureDescription {
    var id: ArchitectureID { "llama-qnorm" }
    var ggufName: String { "llama" }
    var hfArchitectures: [String] { [] }
    var modelTypes: [String] { [] }
    var keys: KeyTable { Llama().keys }
    var tensors: TensorMap {
        var m = Llama().tensors
        m.entries.append(TensorEntry(TensorRole("attn_q_norm"), gguf: "attn_q_norm.weight", hf: .plain("self_attn.q_norm.weight")))
        return m
    }
    var hasExperts: Bool { false }
    func recipes(_ config: ModelConfig, sources: [TensorInfo]) throws -> [TensorRecipe] { [] }
}

@Suite struct ArchitectureBindingTests {
    @Test func unimplementedRoleIsRefused() throws {
        // The same tensors load under llama's own description…
        _ = try Transformer(spec: LoadErrorTests.spec, architecture: Llama(), source: LoadErrorTests.source(),
                            naming: .huggingFace, threads: 1)
        // …and not under one whose map asks for an operation the forward pass lacks.
        #expect {
            _ = try Transformer(spec: LoadErrorTests.spec, architecture: LlamaWithQNorm(), source: LoadErrorTests.source(),
                                naming: .huggingFace, threads: 1)
        } throws: { e in "\(e)".contains("attn_q_norm") && "\(e)".contains("memory") }
    }
}
