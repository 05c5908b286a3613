import Foundation
import IngotCore
@testable import IngotInference

import Testing
import IngotTestSupport

/// A bad hyper-parameter is reported under the key its file spells: a GGUF's `llama.attention.head_count_kv`, a
/// config.json's `num_key_value_heads`.
@Suite struct SpecKeyNamingTests {
    static func key(_ body: () throws -> ModelSpec) -> (key: String, file: String)? {
        do {
            _ = try body()
        } catch let InferenceError.badConfig(key, file, _) {
            return (key, file)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    @Test func ggufErrorsNameTheGGUFKey() throws {
        let tensors = HostileModelSpecTests.source().tensors
        var md = HostileModelSpecTests.metadata()
        md.set("llama.attention.head_count_kv", .uint32(3))
        let bad = Self.key { try ModelSpec.fromGGUF(md, tensors: tensors, file: "tiny.gguf") }
        #expect(bad?.key == "llama.attention.head_count_kv" && bad?.file == "tiny.gguf")
        md = HostileModelSpecTests.metadata()
        md.set("llama.attention.layer_norm_rms_epsilon", .float32(-1))
        #expect(Self.key { try ModelSpec.fromGGUF(md, tensors: tensors, file: "tiny.gguf") }?.key
                == "llama.attention.layer_norm_rms_epsilon")
    }

    @Test func configErrorsNameTheConfigKey() throws {
        let base = #""model_type": "llama", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2"#
        func key(_ extra: String) -> String? {
            Self.key { try ModelSpec.fromHFConfig(Data("{\(base), \(extra)}".utf8), file: "config.json") }?.key
        }
        #expect(key(#""num_key_value_heads": 3"#) == "num_key_value_heads")
        #expect(key(#""rms_norm_eps": -1"#) == "rms_norm_eps")
        #expect(key(#""rope_theta": -1"#) == "rope_theta")
        #expect(Self.key { try ModelSpec.fromHFConfig(Data("{".utf8), file: "config.json") }?.key == "config.json")
    }
}
