import Foundation
import IngotCore
import IngotFormats
import Testing
@testable import IngotInference
import IngotTestSupport

/// Records what a forward pass shows an observer: per (tensor, expert) the rows seen and their width, a copy of
/// chosen tensors' rows, and every router decision.
final class RecordingObserver: ForwardObserver {
    struct Seen: Equatable { var rows = 0; var cols = 0; var calls = 0 }
    var seen: [String: Seen] = [:]
    var perExpert: [String: [Int: Int]] = [:]
    var copies: [String: [Float]] = [:]
    let copy: Set<String>
    /// layer → [(position, choices)]
    var routes: [Int: [(Int, [(expert: Int, weight: Float)])]] = [:]

    init(copy: Set<String> = []) { self.copy = copy }

    func matmulInput(tensor: String, expert: Int?, rows: ObservedRows) {
        var s = seen[tensor] ?? Seen()
        #expect(s.cols == 0 || s.cols == rows.cols, "\(tensor): width changed")
        s.rows += rows.count
        s.cols = rows.cols
        s.calls += 1
        seen[tensor] = s
        if let expert { perExpert[tensor, default: [:]][expert, default: 0] += rows.count }
        if copy.contains(tensor) { for i in 0..<rows.count { copies[tensor, default: []] += Array(rows[i]) } }
    }

    func routed(layer: Int, position: Int, choices: [(expert: Int, weight: Float)]) {
        routes[layer, default: []].append((position, choices))
    }
}

@Suite struct ObserverTests {
    static let tokens: [Int32] = [1, 17, 300, 4000, 42, 7, 7, 99, 2048, 5, 650, 3]

    /// llama.cpp's converted tensors of a fixture (name, innermost dimension), from its oracle listing.
    static func converterTensors(_ model: String, _ variant: String) throws -> [(name: String, cols: Int, dims: Int)] {
        let url = Fixtures.model(model).appendingPathComponent("llamacpp/\(model)-\(variant).json")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let tensors = try #require(o["tensors"] as? [[String: Any]])
        return try tensors.map { t in
            let shape = try #require(t["shape"] as? [Int])
            return (try #require(t["name"] as? String), shape[0], shape.count)
        }
    }

    /// (a) Observing changes nothing: the logits are bit for bit those of a pass without an observer.
    @Test(arguments: ["tiny-llama", "tiny-mixtral", "tiny-gptoss", "tiny-gptoss-mxfp4"])
    func observedLogitsAreIdentical(model: String) throws {
        let m = try loadFixtureModel(model)
        let plain = try m.forward(Self.tokens, cache: m.makeCache(capacity: Self.tokens.count), logitRows: 0..<Self.tokens.count)
        let obs = RecordingObserver()
        let seen = try m.forward(Self.tokens, cache: m.makeCache(capacity: Self.tokens.count), logitRows: 0..<Self.tokens.count,
                                 observer: obs)
        #expect(plain.map(\.bitPattern) == seen.map(\.bitPattern))
        #expect(!obs.seen.isEmpty)
    }

    /// (b) Mixtral: per layer, the routed rows sum to tokens × experts-per-token, and each expert's three products
    /// saw exactly the rows routed to it.
    @Test func routedRowsMatchExpertProducts() throws {
        let m = try loadFixtureModel("tiny-mixtral")
        let obs = RecordingObserver()
        let T = Self.tokens.count, k = m.spec.expertsPerToken
        _ = try m.forward(Self.tokens, cache: m.makeCache(capacity: T), logitRows: (T - 1)..<T, observer: obs)
        #expect(obs.routes.keys.sorted() == Array(0..<m.spec.layers))
        for l in 0..<m.spec.layers {
            let r = try #require(obs.routes[l])
            #expect(r.map(\.0) == Array(0..<T))
            var routed = [Int: Int]()
            for (_, choices) in r {
                #expect(choices.count == k)
                #expect(abs(choices.reduce(0) { $0 + $1.weight } - 1) < 1e-5)
                for c in choices { routed[c.expert, default: 0] += 1 }
            }
            #expect(routed.values.reduce(0, +) == T * k)
            for role in ["ffn_gate_exps", "ffn_up_exps", "ffn_down_exps"] {
                let name = "blk.\(l).\(role).weight"
                #expect(obs.perExpert[name] ?? [:] == routed, "\(name)")
            }
            #expect(obs.seen["blk.\(l).ffn_gate_inp.weight"]?.rows == T)
        }
    }

    /// (c) Every weight product of every fixture is observed under llama.cpp's name for it, with its input width;
    /// and attn_q's input rows are the attention norm's output.
    @Test(arguments: [("tiny-llama", "F16"), ("tiny-mixtral", "BF16"), ("tiny-gptoss", "BF16"), ("tiny-gptoss-mxfp4", "AUTO")])
    func everyWeightIsObservedByItsGGUFName(model: String, variant: String) throws {
        let m = try loadFixtureModel(model)
        let obs = RecordingObserver(copy: ["blk.0.attn_q.weight"])
        let T = Self.tokens.count
        _ = try m.forward(Self.tokens, cache: m.makeCache(capacity: T), logitRows: 0..<T, observer: obs)
        // Matrices the forward pass multiplies: ≥ 2-D, not the embedding (a row lookup) nor llama3's rope_freqs.
        let products = try Self.converterTensors(model, variant).filter {
            $0.dims >= 2 && $0.name.hasSuffix(".weight") && $0.name != "token_embd.weight"
        }
        #expect(Set(obs.seen.keys) == Set(products.map(\.name)))
        for p in products { #expect(obs.seen[p.name]?.cols == p.cols, "\(p.name)") }

        // Layer 0's attention norm of the embedded tokens, computed here.
        let H = m.spec.hiddenSize
        let x = try m.embed(Self.tokens)
        var h = [Float](repeating: 0, count: T * H)
        x.withUnsafeBufferPointer { xp in
            m.weights.layers[0].attentionNorm.withUnsafeBufferPointer { wp in
                h.withUnsafeMutableBufferPointer {
                    RMSNorm.forward(xp.baseAddress!, weight: wp.baseAddress!, rows: T, n: H, eps: m.spec.rmsEps, into: $0.baseAddress!)
                }
            }
        }
        #expect(obs.copies["blk.0.attn_q.weight"]?.map(\.bitPattern) == h.map(\.bitPattern))
    }

    /// (d) The safetensors and the GGUF form of tiny-llama are observed under the same names and widths.
    @Test func sameNamesFromBothWorlds() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ingot-observer-\(getpid()).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try TinyGGUF.writeLlama(to: path, type: .f32)
        let g = try Transformer(ggufSource: try GGUFReader(path: path), threads: 2)
        let s = try loadFixtureModel("tiny-llama")
        let T = Self.tokens.count
        let og = RecordingObserver(), os = RecordingObserver()
        _ = try g.forward(Self.tokens, cache: g.makeCache(capacity: T), logitRows: 0..<T, observer: og)
        _ = try s.forward(Self.tokens, cache: s.makeCache(capacity: T), logitRows: 0..<T, observer: os)
        #expect(og.seen.count == 4 * 7 + 1)
        #expect(og.seen == os.seen)
    }
}
