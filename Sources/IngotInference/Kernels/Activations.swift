import Foundation

/// The gated activations of the three architectures (shared/docs/models.md §3.5–3.7), elementwise in float32.
enum Activation {
    /// `silu(z) = z · sigmoid(z)`.
    @inline(__always) static func silu(_ z: Float) -> Float { z / (1 + expf(-z)) }
    @inline(__always) static func sigmoid(_ z: Float) -> Float { 1 / (1 + expf(-z)) }

    /// SwiGLU (llama, Mixtral): `gate[i] = silu(gate[i]) · up[i]`, in place over `count` values.
    static func swiglu(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { gate[i] = silu(gate[i]) * up[i] }
    }

    /// gpt-oss's clamped GLU: gate clamped above at `limit`, up clamped to ±limit,
    /// `gate · sigmoid(alpha · gate) · (up + 1)`, in place in `gate`.
    static func gptOssGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int, alpha: Float, limit: Float) {
        for i in 0..<count {
            let g = min(gate[i], limit)
            let u = max(-limit, min(up[i], limit))
            let glu = g * sigmoid(alpha * g)
            gate[i] = (u + 1) * glu
        }
    }
}
