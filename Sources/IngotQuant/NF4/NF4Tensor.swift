import IngotCore

/// A weight quantized to bitsandbytes NF4/FP4, as plain data in the layout transformers saves (models.md §2.5).
///
/// For a weight `prefix` (e.g. `model.layers.0.mlp.down_proj.weight`) the checkpoint holds:
///
/// | tensor | dtype | shape |
/// |---|---|---|
/// | `prefix` | U8 | [ceil(n/2), 1] packed codes, element 2j in the high nibble of byte j |
/// | `prefix.absmax` | F32 (U8 with double quantization) | [nblocks] |
/// | `prefix.quant_map` | F32 | [16] |
/// | `prefix.nested_absmax` | F32 | [ceil(nblocks/256)] (double quantization only) |
/// | `prefix.nested_quant_map` | F32 | [256] (double quantization only) |
/// | `prefix.quant_state.bitsandbytes__nf4` | U8 | [json bytes] |
///
/// `n` is the element count of ``NF4QuantState/shape``; blocks are runs of `blocksize` consecutive flat elements
/// (they may cross rows; the last may be partial). Formats/nf4-int8.md documents the layout and the checks.
public struct NF4Tensor: Equatable, Sendable {
    /// The JSON part: type, block size, dtype, shape and the nested (double quantization) parameters.
    public var state: NF4QuantState
    /// The packed 4-bit codes, `ceil(n/2)` bytes.
    public var packed: [UInt8]
    /// The 16-entry codebook (`quant_map`) the codes index; read from files, never assumed.
    public var quantMap: [Float]
    /// The per-block scales.
    public var absmax: Absmax

    /// Per-block absmax: float32, or 8-bit codes of `absmax − offset` with per-chunk float32 absmax.
    public enum Absmax: Equatable, Sendable {
        case float([Float])
        case doubleQuantized(codes: [UInt8], nestedAbsmax: [Float], nestedQuantMap: [Float])
    }

    public init(state: NF4QuantState, packed: [UInt8], quantMap: [Float], absmax: Absmax) {
        self.state = state
        self.packed = packed
        self.quantMap = quantMap
        self.absmax = absmax
    }

    /// Elements of the original weight.
    public var elementCount: Int { (try? ElementType.elementCount(state.shape)) ?? 0 }
    /// Absmax blocks: `ceil(n / blocksize)`.
    public var blockCount: Int { state.blockSize > 0 ? (elementCount + state.blockSize - 1) / state.blockSize : 0 }

    /// Checks every count against the state (called before decoding anything read from a file).
    public func validate() throws {
        let s = state
        guard FourBitType.validBlockSizes.contains(s.blockSize) else {
            throw WeightLayoutError.unsupportedBlockSize(what: "blocksize", found: s.blockSize,
                                                         supported: FourBitType.validBlockSizes)
        }
        let n: Int
        do { n = try ElementType.elementCount(s.shape) } catch {
            throw WeightLayoutError.badShape("NF4 shape \(s.shape): \(error)")
        }
        let nb = (n + s.blockSize - 1) / s.blockSize
        guard packed.count == (n + 1) / 2 else {
            throw WeightLayoutError.wrongShape(tensor: "packed weight", expected: "\((n + 1) / 2) bytes for \(n) elements",
                                               found: [packed.count])
        }
        guard quantMap.count == 16 else {
            throw WeightLayoutError.wrongShape(tensor: "quant_map", expected: "[16]", found: [quantMap.count])
        }
        switch absmax {
        case .float(let a):
            guard s.nested == nil else {
                throw WeightLayoutError.badQuantState(key: "nested_offset", problem: "present but absmax is not double-quantized")
            }
            guard a.count == nb else { throw WeightLayoutError.wrongShape(tensor: "absmax", expected: "[\(nb)]", found: [a.count]) }
        case let .doubleQuantized(codes, nested, map):
            guard let ns = s.nested else {
                throw WeightLayoutError.badQuantState(key: "nested_offset", problem: "missing for double-quantized absmax")
            }
            guard codes.count == nb else {
                throw WeightLayoutError.wrongShape(tensor: "absmax", expected: "[\(nb)]", found: [codes.count])
            }
            let chunks = (nb + ns.blockSize - 1) / ns.blockSize
            guard nested.count == chunks else {
                throw WeightLayoutError.wrongShape(tensor: "nested_absmax", expected: "[\(chunks)]", found: [nested.count])
            }
            guard map.count == 256 else {
                throw WeightLayoutError.wrongShape(tensor: "nested_quant_map", expected: "[256]", found: [map.count])
            }
        }
    }

    /// The float32 absmax of every block (dequantizing the nested codes when double-quantized).
    public func absmaxValues() throws -> [Float] {
        try validate()
        switch absmax {
        case .float(let a): return a
        case let .doubleQuantized(codes, nested, map):
            return DoubleQuantization.dequantize(codes: codes, nestedAbsmax: nested, quantMap: map,
                                                 offset: state.nested!.offset, blockSize: state.nested!.blockSize)
        }
    }

    // MARK: - Safetensors components

    /// The tensors transformers writes for this weight, named under `prefix`.
    public func components(prefix: String) -> [WeightComponent] {
        var out = [WeightComponent(name: prefix, dtype: .u8, shape: [packed.count, 1], bytes: packed)]
        switch absmax {
        case .float(let a):
            out.append(.f32("\(prefix).absmax", shape: [a.count], a))
        case let .doubleQuantized(codes, nested, map):
            out.append(WeightComponent(name: "\(prefix).absmax", dtype: .u8, shape: [codes.count], bytes: codes))
            out.append(.f32("\(prefix).nested_absmax", shape: [nested.count], nested))
            out.append(.f32("\(prefix).nested_quant_map", shape: [map.count], map))
        }
        out.append(.f32("\(prefix).quant_map", shape: [16], quantMap))
        let json = Array(state.json.utf8)
        out.append(WeightComponent(name: NF4QuantState.tensorName(prefix: prefix, type: state.quantType), dtype: .u8,
                                   shape: [json.count], bytes: json))
        return out
    }

    /// Rebuilds the weight from its components (`lookup(name)` returns the stored tensor or nil) and the quant state
    /// already parsed from the `quant_state` tensor's JSON. Every dtype and count is checked.
    ///
    /// The packed weight may be stored in another dtype (`bnb_4bit_quant_storage`, e.g. BF16 for FSDP); its bytes are
    /// taken as they are, so only its byte count is checked.
    public init(prefix: String, state: NF4QuantState, lookup: (String) -> WeightComponent?) throws {
        let n: Int
        do { n = try ElementType.elementCount(state.shape) } catch {
            throw WeightLayoutError.badShape("NF4 shape \(state.shape) of '\(prefix)': \(error)")
        }
        guard FourBitType.validBlockSizes.contains(state.blockSize) else {
            throw WeightLayoutError.unsupportedBlockSize(what: "blocksize of '\(prefix)'", found: state.blockSize,
                                                         supported: FourBitType.validBlockSizes)
        }
        let nb = (n + state.blockSize - 1) / state.blockSize
        guard let w = lookup(prefix) else { throw WeightLayoutError.missingTensor(prefix) }
        guard w.bytes.count == (n + 1) / 2 else {
            throw WeightLayoutError.wrongShape(tensor: prefix, expected: "\((n + 1) / 2) bytes for \(n) elements",
                                               found: w.shape)
        }
        guard let qm = lookup("\(prefix).quant_map") else { throw WeightLayoutError.missingTensor("\(prefix).quant_map") }
        try qm.check(dtype: .f32, elements: 16)
        guard let am = lookup("\(prefix).absmax") else { throw WeightLayoutError.missingTensor("\(prefix).absmax") }
        let absmax: Absmax
        if let nested = state.nested {
            try am.check(dtype: .u8, elements: nb)
            let chunks = (nb + nested.blockSize - 1) / nested.blockSize
            guard let na = lookup("\(prefix).nested_absmax") else {
                throw WeightLayoutError.missingTensor("\(prefix).nested_absmax")
            }
            try na.check(dtype: .f32, elements: chunks)
            guard let nm = lookup("\(prefix).nested_quant_map") else {
                throw WeightLayoutError.missingTensor("\(prefix).nested_quant_map")
            }
            try nm.check(dtype: .f32, elements: 256)
            absmax = .doubleQuantized(codes: am.bytes, nestedAbsmax: na.float32Values!, nestedQuantMap: nm.float32Values!)
        } else {
            try am.check(dtype: .f32, elements: nb)
            absmax = .float(am.float32Values!)
        }
        self.init(state: state, packed: w.bytes, quantMap: qm.float32Values!, absmax: absmax)
    }
}
