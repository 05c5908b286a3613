import Foundation
import IngotCore
import IngotQuant
import Testing
@testable import IngotInference
import IngotTestSupport

/// Each fast kernel against its plain reference.
@Suite struct KernelTests {
    @Test(arguments: [ElementType.f32, .f16, .bf16], [1, 7, 64])
    func matmulRowsMatchesReference(type: ElementType, tokens: Int) throws {
        var rng = SeededRandom(UInt64(tokens) &* 31 &+ UInt64(type.blockBytes))
        let out = 300, inF = 96   // 300 rows: several tiles plus a ragged last one
        let src = MemorySource()
        src.add("w", shape: [out, inF], floats: rng.floats(out * inF), type: type)
        let w = try WeightMatrix(source: src, rows: out, cols: inF, storage: .rows(type: type, tensor: "w", offset: 0))
        let x = rng.floats(tokens * inF), bias = rng.floats(out)
        let fast = try MatMul.forward(x, rows: tokens, weight: w, bias: bias, threads: 2)
        let ref = try MatMul.reference(x, rows: tokens, weight: w, bias: bias)
        let d = maxAbsDiff(fast, ref)
        #expect(d.value < 1e-4, "max |fast − ref| = \(d.value) at \(d.index)")
    }

    /// Block types decode through IngotQuant's codecs a tile at a time; the tiled product equals the plain one.
    @Test(arguments: [ElementType.q8_0, .q4_K, .q6_K, .mxfp4])
    func matmulQuantizedMatchesReference(type: ElementType) throws {
        var rng = SeededRandom(UInt64(type.blockBytes))
        let out = 70, inF = 256, T = 9
        let wf = rng.floats(out * inF)
        var bytes = [UInt8](repeating: 0, count: try Quantizer.rowBytes(type, rowLength: inF) * out)
        try wf.withUnsafeBufferPointer { fp in
            try bytes.withUnsafeMutableBytes { try Quantizer.quantize(type, rows: fp, rowLength: inF, importance: nil, into: $0) }
        }
        let src = MemorySource()
        src.add("w", shape: [out, inF], type: type, bytes: bytes)
        let w = try WeightMatrix(source: src, rows: out, cols: inF, storage: .rows(type: type, tensor: "w", offset: 0))
        let x = rng.floats(T * inF)
        let d = maxAbsDiff(try MatMul.forward(x, rows: T, weight: w, threads: 2), try MatMul.reference(x, rows: T, weight: w))
        #expect(d.value < 1e-4, "\(type): \(d)")
        // And the decoded weights are close to the originals (the codec, not garbage, was used).
        #expect(maxAbsDiff(try w.decodeAll(), wf).value < 0.25)
    }

    @Test func matmulTransposedStorageEqualsRows() throws {
        var rng = SeededRandom(7)
        let out = 40, inF = 24
        let wf = rng.floats(out * inF)
        var wt = [Float](repeating: 0, count: out * inF)   // [in, out]
        for o in 0..<out { for i in 0..<inF { wt[i * out + o] = wf[o * inF + i] } }
        let src = MemorySource()
        src.add("rows", shape: [out, inF], floats: wf)
        src.add("cols", shape: [2, inF, out], floats: rng.floats(inF * out) + wt, type: .bf16)
        src.add("rowsbf", shape: [out, inF], floats: wf, type: .bf16)
        let a = try WeightMatrix(source: src, rows: out, cols: inF, storage: .rows(type: .bf16, tensor: "rowsbf", offset: 0))
        let b = try WeightMatrix(source: src, rows: out, cols: inF, storage: .columns(type: .bf16, tensor: "cols", offset: inF * out * 2))
        #expect(try a.decodeAll() == b.decodeAll())
        let x = rng.floats(5 * inF)
        let ya = try MatMul.forward(x, rows: 5, weight: a, threads: 2), yb = try MatMul.forward(x, rows: 5, weight: b, threads: 2)
        #expect(maxAbsDiff(ya, yb).value < 1e-5)
    }

    @Test func mxfp4SplitDecodesAsTransformers() throws {
        // One row of 64: group 0 scale 127 (×1), group 1 scale 129 (×4). Byte j holds element 2j (low), 2j+1 (high).
        var blocks = [UInt8](repeating: 0, count: 32), scales: [UInt8] = [127, 129]
        for j in 0..<16 { blocks[j] = UInt8(j & 0xF) | UInt8((15 - j) << 4); blocks[16 + j] = 0x71 }
        let src = MemorySource()
        src.add("b", shape: [1, 2, 16], type: .u8, bytes: blocks)
        src.add("s", shape: [1, 2], type: .u8, bytes: scales)
        let w = try WeightMatrix(source: src, rows: 1, cols: 64, storage: .mxfp4Split(blocks: "b", blocksOffset: 0, scales: "s", scalesOffset: 0))
        let v = try w.decodeAll()
        let e2m1 = MXFP4Checkpoint.e2m1
        for j in 0..<16 {
            #expect(v[2 * j] == e2m1[j & 0xF])
            #expect(v[2 * j + 1] == e2m1[15 - j])
            #expect(v[32 + 2 * j] == 4 * 0.5 && v[33 + 2 * j] == 4 * 6)
        }
        scales = [0, 255]
        #expect(MXFP4Checkpoint.scales[0] == Float(sign: .plus, exponent: -127, significand: 1))
        #expect(MXFP4Checkpoint.scales[254] == Float(sign: .plus, exponent: 127, significand: 1))
    }

    @Test func rmsNormMatchesReference() {
        var rng = SeededRandom(3)
        let rows = 5, n = 67
        let x = rng.floats(rows * n, scale: 3), w = rng.floats(n)
        var y = [Float](repeating: 0, count: rows * n)
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in y.withUnsafeMutableBufferPointer {
            RMSNorm.forward(xp.baseAddress!, weight: wp.baseAddress!, rows: rows, n: n, eps: 1e-5, into: $0.baseAddress!)
        } } }
        let d = maxAbsDiff(y, RMSNorm.reference(x, weight: w, rows: rows, n: n, eps: 1e-5))
        #expect(d.value < 1e-5, "\(d)")
    }

    static let scalings: [RopeScaling] = [
        .none, .linear(factor: 4),
        .llama3(factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalContext: 64),
        .yarn(factor: 4, originalContext: 256, betaFast: 32, betaSlow: 1, truncate: false, attentionFactor: nil, mscale: nil, mscaleAllDim: nil),
        .yarn(factor: 4, originalContext: 256, betaFast: 32, betaSlow: 1, truncate: true, attentionFactor: nil, mscale: nil, mscaleAllDim: nil),
    ]

    @Test(arguments: scalings, [RopeStyle.halves, .interleaved])
    func ropeMatchesReference(scaling: RopeScaling, style: RopeStyle) {
        var rng = SeededRandom(11)
        let rope = RoPE(headDim: 32, theta: 10000, scaling: scaling, style: style)
        let T = 6, heads = 3, positions = 40..<46
        var x = rng.floats(T * heads * 32)
        let ref = rope.reference(x, tokens: T, heads: heads, positions: positions)
        let (c, s) = rope.tables(positions: positions)
        x.withUnsafeMutableBufferPointer { rope.apply($0.baseAddress!, tokens: T, heads: heads, ld: heads * 32, cos: c, sin: s) }
        let d = maxAbsDiff(x, ref)
        #expect(d.value < 1e-5, "\(d)")
    }

    /// shared/docs/models.md §3.3: the gpt-oss YaRN numbers transformers computes.
    @Test func yarnMatchesGptOssNumbers() {
        let rope = RoPE(headDim: 64, theta: 150000,
                        scaling: .yarn(factor: 32, originalContext: 4096, betaFast: 32, betaSlow: 1, truncate: false,
                                       attentionFactor: nil, mscale: nil, mscaleAllDim: nil), style: .halves)
        #expect(abs(Double(rope.attentionFactor) - 1.3465735902799727) < 1e-6)
        let expect: [Float] = [1.0, 0.6890443, 0.4747820, 0.3271459]
        for i in 0..<4 { #expect(abs(rope.invFreq[i] - expect[i]) < 1e-6, "inv_freq[\(i)] = \(rope.invFreq[i])") }
        #expect(abs(rope.invFreq[31] - 3.0235114e-07) < 1e-12)
        #expect(abs(rope.invFreq.reduce(0, +) - 3.18043826) < 1e-5)
    }

    @Test(arguments: [(0, 9, nil as Int?, false), (5, 1, nil, false), (3, 12, 4, true), (20, 1, 4, true), (0, 16, 64, true)])
    func attentionMatchesReference(start: Int, tokens T: Int, window: Int?, sinks: Bool) {
        var rng = SeededRandom(UInt64(start * 100 + T))
        let heads = 4, kvHeads = 2, d = 8, capacity = 32
        let q = rng.floats(T * heads * d), k = rng.floats(kvHeads * capacity * d), v = rng.floats(kvHeads * capacity * d)
        let sinkValues = sinks ? rng.floats(heads, scale: 2) : nil
        let shape = AttentionShape(heads: heads, kvHeads: kvHeads, headDim: d, scale: 1 / Float(d).squareRoot(), window: window)
        var out = [Float](repeating: .nan, count: T * heads * d)
        q.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in v.withUnsafeBufferPointer { vp in
            out.withUnsafeMutableBufferPointer { op in
                let sp = sinkValues.map { s -> UnsafeMutablePointer<Float> in
                    let p = UnsafeMutablePointer<Float>.allocate(capacity: heads); p.initialize(from: s, count: heads); return p
                }
                defer { sp?.deallocate() }
                Attention.forward(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, capacity: capacity, start: start,
                                  tokens: T, shape: shape, sinks: sp.map { UnsafePointer($0) }, out: op.baseAddress!, threads: 2)
            }
        } } }
        let ref = Attention.reference(q: q, k: k, v: v, capacity: capacity, start: start, tokens: T, shape: shape, sinks: sinkValues)
        let diff = maxAbsDiff(out, ref)
        #expect(diff.value < 1e-5, "\(diff)")
    }

    @Test func routersFollowTheirArchitectures() {
        let logits: [Float] = [0.5, 2.0, 2.0, -1.0]
        logits.withUnsafeBufferPointer { lp in
            let mix = FeedForwardKernel.route(lp.baseAddress!, experts: 4, k: 2, routing: .softmaxThenTopK)
            #expect(mix.map(\.expert) == [1, 2])           // tie: lower index first
            #expect(abs(mix[0].weight - 0.5) < 1e-6 && abs(mix[1].weight - 0.5) < 1e-6)
            let oss = FeedForwardKernel.route(lp.baseAddress!, experts: 4, k: 3, routing: .topKThenSoftmax)
            #expect(oss.map(\.expert) == [1, 2, 0])
            let e = [expf(0), expf(0), expf(-1.5)], s = e.reduce(0, +)
            for (i, r) in oss.enumerated() { #expect(abs(r.weight - e[i] / s) < 1e-6) }
        }
    }

    @Test func gptOssActivationClamps() {
        var g: [Float] = [10, -10, 1], u: [Float] = [10, -10, 0.5]
        g.withUnsafeMutableBufferPointer { gp in u.withUnsafeBufferPointer { up in
            Activation.gptOssGLU(gate: gp.baseAddress!, up: up.baseAddress!, count: 3, alpha: 1.702, limit: 7)
        } }
        #expect(abs(g[0] - 8 * 7 / (1 + expf(-1.702 * 7))) < 1e-4)     // gate clamped to 7, up to 7: (7+1)·glu
        #expect(abs(g[1] - (-6) * (-10) / (1 + expf(17.02))) < 1e-6)   // gate not clamped below; up clamped to −7
        #expect(abs(g[2] - 1.5 * 1 / (1 + expf(-1.702))) < 1e-6)
    }
}
