/// The non-tensor part of a bitsandbytes 4-bit quant state: the JSON object transformers stores as the U8 tensor
/// `<prefix>.quant_state.bitsandbytes__nf4` (or `__fp4`), models.md §2.5.
///
/// ``json`` reproduces bitsandbytes' `json.dumps` text byte for byte (key order, `", "` / `": "` separators, Python
/// float repr), so an Ingot-written checkpoint carries the same quant-state bytes bitsandbytes would write.
public struct NF4QuantState: Equatable, Sendable {
    /// `quant_type`.
    public var quantType: FourBitType
    /// `blocksize`: elements per absmax block.
    public var blockSize: Int
    /// `dtype`: the dtype bitsandbytes dequantizes to (`float32`, `float16`, `bfloat16`).
    public var dtype: String
    /// `shape`: the original weight shape, outermost first.
    public var shape: [Int]
    /// Present with double quantization only.
    public var nested: Nested?

    /// `nested_blocksize`, `nested_dtype`, `nested_offset`.
    public struct Nested: Equatable, Sendable {
        public var blockSize: Int
        public var dtype: String
        public var offset: Float
        public init(blockSize: Int = DoubleQuantization.nestedBlockSize, dtype: String = "float32", offset: Float) {
            self.blockSize = blockSize
            self.dtype = dtype
            self.offset = offset
        }
    }

    /// The dtype names bitsandbytes accepts for the dequantized weight.
    public static let dtypes = ["float32", "float16", "bfloat16"]

    public init(quantType: FourBitType, blockSize: Int, dtype: String, shape: [Int], nested: Nested?) {
        self.quantType = quantType
        self.blockSize = blockSize
        self.dtype = dtype
        self.shape = shape
        self.nested = nested
    }

    /// The tensor name the state is stored under for a weight `prefix`.
    public static func tensorName(prefix: String, type: FourBitType) -> String {
        "\(prefix).quant_state.bitsandbytes__\(type.rawValue)"
    }

    /// The JSON text bitsandbytes' `pack_dict_to_tensor` writes (UTF-8 bytes of this string are the U8 tensor).
    public var json: String {
        var s = "{\"quant_type\": \"\(quantType.rawValue)\", \"blocksize\": \(blockSize), \"dtype\": \"\(dtype)\", "
        s += "\"shape\": [\(shape.map(String.init).joined(separator: ", "))]"
        if let n = nested {
            s += ", \"nested_blocksize\": \(n.blockSize), \"nested_dtype\": \"\(n.dtype)\", "
            s += "\"nested_offset\": \(NF4QuantState.pythonRepr(Double(n.offset)))"
        }
        return s + "}"
    }

    /// Python's `repr(float)`: the shortest round-tripping digits, exponent form outside [1e-4, 1e16).
    static func pythonRepr(_ d: Double) -> String {
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        if d == d.rounded(), abs(d) < 1e16 { return String(format: d) + ".0" }
        return d.description
    }

    /// Reads the state from the decoded JSON object (`[String: Any]` from any JSON parser: numbers as Int, Double or
    /// NSNumber, arrays as `[Any]`). Every key is checked; unknown keys are refused as bitsandbytes refuses them.
    public init(dictionary d: [String: Any]) throws {
        let known: Set<String> = ["quant_type", "blocksize", "dtype", "shape", "nested_blocksize", "nested_dtype",
                                  "nested_offset"]
        if let extra = d.keys.sorted().first(where: { !known.contains($0) }) {
            throw WeightLayoutError.badQuantState(key: extra, problem: "unknown key")
        }
        guard let qt = d["quant_type"] as? String, let type = FourBitType(rawValue: qt) else {
            throw WeightLayoutError.badQuantState(key: "quant_type", problem: "expected \"nf4\" or \"fp4\"")
        }
        let bs = try NF4QuantState.integer(d["blocksize"], key: "blocksize")
        guard FourBitType.validBlockSizes.contains(bs) else {
            throw WeightLayoutError.unsupportedBlockSize(what: "blocksize", found: bs, supported: FourBitType.validBlockSizes)
        }
        guard let dt = d["dtype"] as? String, NF4QuantState.dtypes.contains(dt) else {
            throw WeightLayoutError.badQuantState(key: "dtype", problem: "expected one of \(NF4QuantState.dtypes)")
        }
        guard let dims = d["shape"] as? [Any], dims.count <= 8 else {
            throw WeightLayoutError.badQuantState(key: "shape", problem: "expected an array of at most 8 dimensions")
        }
        let shape = try dims.map { try NF4QuantState.integer($0, key: "shape") }
        var nested: Nested?
        let nestedKeys = ["nested_blocksize", "nested_dtype", "nested_offset"].filter { d[$0] != nil }
        if !nestedKeys.isEmpty {
            guard nestedKeys.count == 3 else {
                throw WeightLayoutError.badQuantState(key: "nested_*", problem: "needs all of nested_blocksize, nested_dtype, nested_offset")
            }
            let nbs = try NF4QuantState.integer(d["nested_blocksize"], key: "nested_blocksize")
            guard nbs > 0, nbs <= 1 << 20 else {
                throw WeightLayoutError.badQuantState(key: "nested_blocksize", problem: "\(nbs) is out of range")
            }
            guard let ndt = d["nested_dtype"] as? String, NF4QuantState.dtypes.contains(ndt) else {
                throw WeightLayoutError.badQuantState(key: "nested_dtype", problem: "expected one of \(NF4QuantState.dtypes)")
            }
            guard let off = NF4QuantState.number(d["nested_offset"]), off.isFinite else {
                throw WeightLayoutError.badQuantState(key: "nested_offset", problem: "expected a finite number")
            }
            nested = Nested(blockSize: nbs, dtype: ndt, offset: Float(off))
        }
        self.init(quantType: type, blockSize: bs, dtype: dt, shape: shape, nested: nested)
    }

    static func number(_ v: Any?) -> Double? {
        if let i = v as? Int { return Double(i) }
        if let d = v as? Double { return d }
        return nil
    }

    static func integer(_ v: Any?, key: String) throws -> Int {
        if let i = v as? Int, i >= 0 { return i }
        if let d = v as? Double, d >= 0, d <= 9.0e15, d == d.rounded() { return Int(d) }
        throw WeightLayoutError.badQuantState(key: key, problem: "expected a non-negative integer")
    }
}

private extension String {
    /// Integral doubles below 1e16 print like Python's repr minus the ".0" the caller appends.
    init(format d: Double) { self = String(Int64(d)) }
}
