/// Fast paths for Q4_K (placeholder wiring: reference until the lane-parallel encoder lands).
enum Q4_KFast {
    static func encode(_ x: UnsafePointer<Float>, blocks nb: Int, into y: UnsafeMutableRawPointer) {
        Q4_K.encodeReference(x, nil, blocks: nb, into: y)
    }
    static func decode(_ q: UnsafeRawPointer, blocks nb: Int, into y: UnsafeMutablePointer<Float>) {
        Q4_K.decodeReference(q, blocks: nb, into: y)
    }
}
