import Foundation
import Testing
@testable import IngotInference
import IngotTestSupport

@Suite struct GenerationTests {
    /// Greedy decoding through the KV cache picks, at every step, the argmax of a full forward pass over everything so far.
    @Test(arguments: ReferenceLogitsTests.models)
    func greedyWithCacheEqualsFullRerun(model: String) throws {
        let m = try loadFixtureModel(model)
        let prompt = Array(try ModelReference(model: model).tokens.prefix(6))
        let steps = Fixtures.isRelease ? 12 : 4
        var options = SamplingOptions()
        options.temperature = 0
        let gen = Generator(model: m, endTokens: [], piece: { _ in [] })
        let (out, stats) = try gen.generate(prompt: prompt, maxTokens: steps, sampling: options) { _ in }
        #expect(out.count == steps && stats.generatedTokens == steps)
        var seq = prompt
        for t in out {
            let logits = try m.forward(seq, cache: m.makeCache(capacity: seq.count), logitRows: (seq.count - 1)..<seq.count)
            #expect(Int32(Sampler.argmax(logits)) == t, "\(model): step \(seq.count - prompt.count)")
            seq.append(t)
        }
    }

    @Test func samplerFiltersAndIsReproducible() {
        let logits: [Float] = [1, 5, 4.9, -2, 0]
        var o = SamplingOptions()
        o.temperature = 0
        var s = Sampler(o)
        #expect(s.sample(logits, history: []) == 1)
        o.repeatPenalty = 2; o.repeatLastN = 4
        s = Sampler(o)
        #expect(s.sample(logits, history: [1]) == 2)           // 5/2 < 4.9
        o = SamplingOptions(); o.topK = 1; o.seed = 9
        s = Sampler(o)
        for _ in 0..<20 { #expect(s.sample(logits, history: []) == 1) }
        o = SamplingOptions(); o.topK = 0; o.topP = 1; o.minP = 0.5; o.temperature = 1; o.seed = 3
        var a = Sampler(o), b = Sampler(o)
        var seen = Set<Int32>()
        for _ in 0..<200 {
            let x = a.sample(logits, history: [])
            #expect(x == b.sample(logits, history: []))
            seen.insert(x)
        }
        #expect(seen == [1, 2])                                 // min-p 0.5 keeps only the two near the top
    }

    @Test func textStreamHoldsPartialUTF8AndStops() {
        var s = TextStream(stops: ["END"])
        let euro = Array("€".utf8)                              // 3 bytes
        #expect(s.push([UInt8(ascii: "a"), euro[0]]) == "a")
        #expect(s.push([euro[1]]) == "")
        #expect(s.push([euro[2], UInt8(ascii: "E")]) == "€")    // "E" could start END: held
        #expect(s.push(Array("N".utf8)) == "")
        #expect(s.push(Array("Dx".utf8)) == "")
        #expect(s.stopped)
        var t = TextStream(stops: ["END"])
        #expect(t.push(Array("EN".utf8)) == "")
        #expect(t.push(Array("d".utf8)) == "ENd")
        #expect(t.flush() == "")
    }
}
