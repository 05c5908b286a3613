import IngotCore

/// Q3_K: super-blocks of 256 (110 bytes): 16 groups of 16 three-bit codes (2 low bits + a high-bit mask), signed
/// 6-bit group scales, one F16 super-scale; value = `d*(l-32)*q3`, q3 ∈ [-4, 3].
///
/// Bit-exact with ggml's `quantize_row_q3_K_ref` (no importance; `make_q3_quants`), `quantize_row_q3_K_impl`
/// (importance; `make_qx_quants` for groups and scales) and `dequantize_row_q3_K`; proved by `GGMLVectorTests`.
public enum Q3_K: BlockCodec {
    public static let type = ElementType.q3_K
    static let oHmask = 0, oQs = 32, oScales = 96, oD = 108

    /// `quantize_row_q3_K_ref` when `qw` is nil, `quantize_row_q3_K_impl` otherwise.
    public static func encodeReference(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>?, blocks nb: Int,
                                       into y: UnsafeMutableRawPointer) {
        let qk = blockElements, bytes = blockBytes
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: qk + 16) { i8 in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes) { u8 in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 3) { f in
                    let L = i8.baseAddress!, Ls = L + qk, blk = u8.baseAddress!
                    let scales = f.baseAddress!, weight = scales + 16, sw = weight + 16
                    for i in 0..<nb {
                        blk.initialize(repeating: 0, count: bytes)
                        if let qw {
                            encodeWeightedBlock(x + i * qk, qw + i * qk, L, Ls, scales, weight, sw, blk)
                        } else {
                            encodeReferenceBlock(x + i * qk, L, scales, blk)
                        }
                        (y + i * bytes).copyMemory(from: blk, byteCount: bytes)
                    }
                }
            }
        }
    }

    static func encodeReferenceBlock(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                                     _ scales: UnsafeMutablePointer<Float>, _ blk: UnsafeMutablePointer<UInt8>) {
        var maxScale: Float = 0, amax: Float = 0
        for j in 0..<16 {
            scales[j] = QuantMath.makeQ3Quants(16, 4, x + 16 * j, L + 16 * j, doRMSE: true)
            let scale = abs(scales[j])
            if scale > amax { amax = scale; maxScale = scales[j] }
        }
        let raw = UnsafeMutableRawPointer(blk)
        if maxScale != 0 {
            let iscale = -32 / maxScale
            for j in 0..<16 {
                let l8 = Int8(truncatingIfNeeded: QuantMath.nearestInt(iscale * scales[j]))
                let l = UInt8(Swift.max(-32, Swift.min(31, Int32(l8))) + 32)
                KQuantPacking.packQ3Scale(j, l, into: blk + oScales)
            }
            _ = QuantMath.storeF16(1 / iscale, raw, oD)
        } else {
            _ = QuantMath.storeF16(0, raw, oD)
        }
        requantizeAndPack(x, L, blk)
    }

    static func encodeWeightedBlock(_ x: UnsafePointer<Float>, _ qw: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>,
                                    _ Ls: UnsafeMutablePointer<Int8>, _ scales: UnsafeMutablePointer<Float>,
                                    _ weight: UnsafeMutablePointer<Float>, _ sw: UnsafeMutablePointer<Float>,
                                    _ blk: UnsafeMutablePointer<UInt8>) {
        let qk = blockElements
        var sumx2: Float = 0
        for j in 0..<qk { sumx2 += x[j] * x[j] }
        let sigma2 = 2 * sumx2 / Float(qk)
        for j in 0..<16 {
            let q = qw + 16 * j
            for l in 0..<16 { weight[l] = q[l] * (sigma2 + x[16 * j + l] * x[16 * j + l]).squareRoot() }
            var sumw: Float = 0
            for l in 0..<16 { sumw += weight[l] }
            sw[j] = sumw
            scales[j] = QuantMath.makeQxQuants(16, 4, x + 16 * j, L + 16 * j, rmseType: 1, UnsafePointer(weight))
        }
        let dBlock = QuantMath.makeQxQuants(16, 32, scales, Ls, rmseType: 1, UnsafePointer(sw))
        for j in 0..<16 { KQuantPacking.packQ3Scale(j, UInt8(bitPattern: Ls[j]), into: blk + oScales) }
        _ = QuantMath.storeF16(dBlock, UnsafeMutableRawPointer(blk), oD)
        requantizeAndPack(x, L, blk)
    }

    /// Codes from the stored scales (groups with a zero product keep the search's codes), then hmask and 2-bit packing.
    @inline(__always)
    static func requantizeAndPack(_ x: UnsafePointer<Float>, _ L: UnsafeMutablePointer<Int8>, _ blk: UnsafeMutablePointer<UInt8>) {
        let qk = blockElements
        let dAll = QuantMath.loadF16(UnsafeRawPointer(blk), oD)
        for j in 0..<16 {
            let sc = KQuantPacking.q3Scale(j, blk + oScales)
            let d = dAll * Float(sc)
            if d == 0 { continue }
            for ii in 0..<16 {
                let l = QuantMath.nearestInt(x[16 * j + ii] / d)
                L[16 * j + ii] = Int8(Swift.max(-4, Swift.min(3, l)) + 4)
            }
        }
        // High bit of code j goes to hmask[j % 32], bit j / 32.
        var m = 0
        var hm: UInt8 = 1
        for j in 0..<qk {
            if L[j] > 3 {
                blk[oHmask + m] |= hm
                L[j] -= 4
            }
            m += 1
            if m == 32 { m = 0; hm <<= 1 }
        }
        L.withMemoryRebound(to: UInt8.self, capacity: qk) { KQuantPacking.pack2Bit($0, into: blk + oQs) }
    }

    /// `dequantize_row_q3_K`.
    public static func decodeReference(_ q: UnsafeRawPointer, blocks nb: Int, into out: UnsafeMutablePointer<Float>) {
        let bytes = blockBytes
        var y = out
        for i in 0..<nb {
            let b = q + i * bytes
            let dAll = QuantMath.loadF16(b, oD)
            let sc = b.advanced(by: oScales).assumingMemoryBound(to: UInt8.self)
            var isc = 0
            var m: UInt8 = 1
            for n in 0..<2 {
                let qo = oQs + 32 * n
                var shift: UInt8 = 0
                for _ in 0..<4 {
                    for half in 0..<2 {
                        let dl = dAll * Float(KQuantPacking.q3Scale(isc, sc)); isc += 1
                        for l in 0..<16 {
                            let low = Int32((b.load(fromByteOffset: qo + 16 * half + l, as: UInt8.self) >> shift) & 3)
                            let high = b.load(fromByteOffset: oHmask + 16 * half + l, as: UInt8.self) & m
                            y.pointee = dl * Float(low - (high != 0 ? 0 : 4))
                            y += 1
                        }
                    }
                    shift += 2
                    m <<= 1
                }
            }
        }
    }
}
