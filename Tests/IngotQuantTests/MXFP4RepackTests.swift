import Foundation
import Testing
import IngotCore
import IngotFormats
@testable import IngotQuant
import IngotTestSupport

/// The MXFP4 repack moves bits only: ggml's decoding of the repacked blocks equals the Hugging Face decoding of
/// the source blocks and scales, value for value. (Code 8 is −0 in E2M1; ggml's integer table decodes it as +0,
/// which compares equal, so values are compared with `==`, not bit patterns.) Moved here from IngotModelTests with
/// the repack itself.
struct MXFP4RepackTests {
    /// ggml's `dequantize_row_mxfp4` (ggml-quants.c) with `GGML_E8M0_TO_FP32_HALF`, written out independently.
    static func ggmlDecode(_ q: [UInt8], groups: Int) -> [Float] {
        let kvalues: [Int8] = [0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12]
        var y = [Float](repeating: 0, count: groups * 32)
        for i in 0..<groups {
            let e = UInt32(q[i * 17])
            let bits: UInt32 = e < 2 ? (0x0020_0000 << e) : ((e - 1) << 23)
            let d = Float(bitPattern: bits)
            for j in 0..<16 {
                let b = q[i * 17 + 1 + j]
                y[i * 32 + j] = Float(kvalues[Int(b & 0x0F)]) * d
                y[i * 32 + j + 16] = Float(kvalues[Int(b >> 4)]) * d
            }
        }
        return y
    }

    static func hfDecode(_ blocks: [UInt8], _ scales: [UInt8], groups: Int) -> [Float] {
        var y = [Float](repeating: 0, count: groups * 32)
        blocks.withUnsafeBytes { b in scales.withUnsafeBytes { s in y.withUnsafeMutableBufferPointer { o in
            MXFP4Checkpoint.decode(blocks: b.baseAddress!, scales: s.baseAddress!, groups: groups, into: o.baseAddress!)
        } } }
        return y
    }

    static func repack(_ blocks: [UInt8], _ scales: [UInt8], groups: Int) -> [UInt8] {
        var q = [UInt8](repeating: 0, count: groups * 17)
        blocks.withUnsafeBufferPointer { b in scales.withUnsafeBufferPointer { s in q.withUnsafeMutableBufferPointer { o in
            MXFP4Repack.repack(blocks: b.baseAddress!, scales: s.baseAddress!, groups: groups, into: o.baseAddress!)
        } } }
        return q
    }

    /// Every nibble value in every position, scales across the whole E8M0 range except 255 (NaN in the OCP spec).
    @Test func randomBlocksDecodeIdentically() {
        var rng = SystemRandomNumberGenerator()
        let groups = 254
        let blocks = (0..<groups * 16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let scales = (0..<groups).map { UInt8($0) }
        let a = Self.ggmlDecode(Self.repack(blocks, scales, groups: groups), groups: groups)
        let b = Self.hfDecode(blocks, scales, groups: groups)
        let mismatches = zip(a, b).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(mismatches.isEmpty, "first mismatch: \(mismatches.first.map { "\($0.offset): \($0.element)" } ?? "")")
    }

    /// Element k of a group must come out at position k: one non-zero code at a time.
    @Test func positionsAreKept() {
        for k in 0..<32 {
            var blocks = [UInt8](repeating: 0, count: 16)
            blocks[k / 2] = k % 2 == 0 ? 0x02 : 0x20   // code 2 = 1.0
            let y = Self.ggmlDecode(Self.repack(blocks, [127], groups: 1), groups: 1)
            #expect(y.enumerated().allSatisfy { $0.offset == k ? $0.element == 1 : $0.element == 0 }, "element \(k)")
        }
    }

    /// The fixture's real MXFP4 experts: blocks and scales read from the checkpoint, repacked per expert row.
    @Test func fixtureExpertsDecodeIdentically() throws {
        let path = Fixtures.model("tiny-gptoss-mxfp4").appendingPathComponent("model.safetensors").path
        let reader = try SafetensorsReader(path: path)
        for proj in ["down_proj", "gate_up_proj"] {
            let blocks = try reader.withBytes(of: "model.layers.0.mlp.experts.\(proj)_blocks") { [UInt8]($0) }
            let scales = try reader.withBytes(of: "model.layers.0.mlp.experts.\(proj)_scales") { [UInt8]($0) }
            let groups = scales.count
            #expect(blocks.count == groups * 16)
            let a = Self.ggmlDecode(Self.repack(blocks, scales, groups: groups), groups: groups)
            let b = Self.hfDecode(blocks, scales, groups: groups)
            #expect(zip(a, b).allSatisfy { $0 == $1 }, "\(proj)")
        }
    }
}
