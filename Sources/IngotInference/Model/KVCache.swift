/// Keys and values of every layer for positions `0 ..< length`, laid out `[kvHeads][capacity][headDim]` per layer
/// so one head's keys are a contiguous `[positions, d]` matrix for BLAS.
public final class KVCache {
    public let capacity: Int
    public private(set) var length = 0
    let kvHeads: Int
    let headDim: Int
    var keys: [[Float]]
    var values: [[Float]]

    /// A cache for `capacity` positions of a model shaped like `spec`.
    public init(spec: ModelSpec, capacity: Int) {
        self.capacity = capacity
        kvHeads = spec.kvHeads
        headDim = spec.headDim
        let n = spec.kvHeads * capacity * spec.headDim
        keys = (0..<spec.layers).map { _ in [Float](repeating: 0, count: n) }
        values = keys
    }

    /// Bytes held by the cache.
    public var byteCount: Int { keys.count * 2 * kvHeads * capacity * headDim * MemoryLayout<Float>.size }

    /// Forgets every position (the buffers are reused).
    public func clear() { length = 0 }

    /// Drops positions from `newLength` on.
    public func truncate(to newLength: Int) { length = min(length, max(0, newLength)) }

    /// Writes `T` rows of k and v (`[T, kvHeads·d]`) for layer `layer` at positions `start ..< start+T`.
    func store(layer: Int, k: UnsafePointer<Float>, v: UnsafePointer<Float>, start: Int, tokens T: Int) {
        let d = headDim, ld = kvHeads * d
        keys[layer].withUnsafeMutableBufferPointer { kp in
            values[layer].withUnsafeMutableBufferPointer { vp in
                for t in 0..<T {
                    for h in 0..<kvHeads {
                        let dst = (h * capacity + start + t) * d
                        (kp.baseAddress! + dst).update(from: k + t * ld + h * d, count: d)
                        (vp.baseAddress! + dst).update(from: v + t * ld + h * d, count: d)
                    }
                }
            }
        }
    }

    /// Marks positions up to `newLength` as filled (after every layer has stored them).
    func advance(to newLength: Int) { length = newLength }
}
