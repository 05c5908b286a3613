import IngotCore

/// How one output (GGUF) tensor is made from source (Hugging Face) tensors. Recipes only describe the
/// rearrangement; the pipeline reads the bytes and applies it row by row, so no recipe needs a whole model in memory.
///
/// All shapes are outermost first. "Row" means the innermost dimension of the *output*.
public enum TensorTransform: Equatable, Sendable {
    /// Output = the one source, same layout (values converted to the output type).
    case copy
    /// llama's Q/K un-permutation (`LlamaModel.permute` in llama.cpp's converter): rows are regrouped per head
    /// from HF's rotate-half order to GGML's interleaved-pair order. `heads` is n_head for Q, n_head_kv for K.
    case permuteHeads(heads: Int)
    /// Sources (each `[rows, cols]`) stacked on a new outer dimension: Mixtral's per-expert `w1`/`w2`/`w3`.
    case stack
    /// Source `[E, A, B]` → output `[E, B, A]` (gpt-oss dense `down_proj`, stored `[in, out]` per expert).
    case transposeLastTwo
    /// Source `[E, A, 2n]` → transposed `[E, 2n, A]`, then every other row from `offset` → output `[E, n, A]`:
    /// gpt-oss's interleaved dense `gate_up_proj` (gate = even, up = odd).
    case transposeThenInterleavedRows(offset: Int)
    /// Source `[…, 2n]` → output `[…, n]` taking elements `offset, offset+2, …` of every row: gpt-oss's
    /// `gate_up_proj_bias`.
    case interleavedColumns(offset: Int)
    /// gpt-oss MXFP4 experts: sources `[blocks U8 [E, R, G, 16], scales U8 [E, R, G]]`; output rows
    /// `offset, offset+stride, …` of R, repacked losslessly into ggml `block_mxfp4` (output type MXFP4,
    /// shape `[E, R/stride, G·32]`).
    case mxfp4Repack(rowStride: Int, rowOffset: Int)
    /// Values computed by the converter (llama3 `rope_freqs`), carried in the recipe.
    case generated([Float])
}

/// One output tensor of a conversion: its GGUF name and shape, what it is made from, and the converter's type rule.
public struct TensorRecipe: Equatable, Sendable {
    /// GGUF name (`blk.0.attn_q.weight`).
    public var name: String
    /// Output shape, outermost first.
    public var shape: [Int]
    /// Source tensor names, in the order the transform consumes them.
    public var sources: [String]
    public var transform: TensorTransform
    /// Type of the data the transform yields before any conversion: `.f32` for float sources (F32/F16/BF16 are
    /// widened), `.mxfp4` for repacked MXFP4 blocks.
    public var producedType: ElementType
    /// llama.cpp's converter keeps this tensor in F32 whatever `--outtype` says: 1-D tensors, `*_norm.weight`,
    /// routers (`ffn_gate_inp`), and names not ending in `.weight` (biases, sinks).
    public var forceF32: Bool
    /// Source dtype (of the first source) for messages and the `auto` type.
    public var sourceType: ElementType

    public init(name: String, shape: [Int], sources: [String], transform: TensorTransform,
                producedType: ElementType = .f32, forceF32: Bool, sourceType: ElementType) {
        self.name = name
        self.shape = shape
        self.sources = sources
        self.transform = transform
        self.producedType = producedType
        self.forceF32 = forceF32
        self.sourceType = sourceType
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}

extension TensorRecipe {
    /// llama.cpp converter's F32 rule (`ModelBase.prepare_tensors`) for a GGUF tensor name and its number of dims.
    public static func converterForcesF32(name: String, dimensions: Int) -> Bool {
        if dimensions <= 1 || name.hasSuffix("_norm.weight") { return true }
        if name.contains(".ffn_gate_inp.") || name.contains(".ffn_gate_inp_shexp.") { return true }
        if name == "position_embd.weight" || name == "token_types.weight" { return true }
        if name.contains(".ssm_conv1d.") { return true }
        let tail = name.suffix(7)
        return !(tail == ".weight" || tail == ".lora_a" || tail == ".lora_b")
    }
}

/// Row bookkeeping of llama's Q/K permutation (`LlamaModel.permute`): the weight `[rows, cols]` is viewed as
/// `[heads, 2, rows/heads/2, cols]`, axes 1 and 2 are swapped, and the result is flattened back.
public enum HeadPermutation {
    /// The source row that output row `r` comes from.
    @inline(__always)
    public static func sourceRow(_ r: Int, rows: Int, heads: Int) -> Int {
        let perHead = rows / heads, half = perHead / 2
        let h = r / perHead, within = r % perHead
        // Output index within a head is (i, a) with i < half, a < 2: within = i·2 + a; the source is (a, i).
        let i = within / 2, a = within % 2
        return h * perHead + a * half + i
    }
}
