import IngotCore

/// Why a conversion cannot run. Each case names the file, tensor or option concerned.
public enum ConvertError: IngotDiagnostic, Equatable {
    case inputNotFound(String)
    case unknownInput(path: String, reason: String)
    case outputIsInput(String)
    case unknownOutputFormat(String)
    case badOption(option: String, value: String, reason: String)
    case notEnoughSpace(path: String, needed: Int, available: Int)
    case alreadyQuantized(path: String, tensor: String, type: String)
    case unsupportedForFormat(format: String, type: String, supported: [String])
    case sourceTensorMissing(tensor: String, path: String)
    case tensorFailed(tensor: String, reason: String)
    /// The plan gives tensors a type Ingot cannot encode (yet): the first tensor, its type and why it got it, the
    /// count of such tensors per type ("IQ2_XXS ×28"), and the types Ingot can produce.
    case noEncoder(tensor: String, type: String, reason: String, counts: [String], supported: [String])

    public var description: String {
        switch self {
        case .inputNotFound(let p): return "\(p): no such file or directory"
        case .unknownInput(let p, let r): return "\(p): cannot convert: \(r)"
        case .outputIsInput(let p): return "\(p): the output would overwrite an input; choose another output path"
        case .unknownOutputFormat(let p):
            return "\(p): cannot tell the output format from the extension; use .gguf or .safetensors, or --to"
        case .badOption(let o, let v, let r): return "\(o) \(v): \(r)"
        case .notEnoughSpace(let p, let n, let a):
            return "\(p): not enough free space: the output needs about \(n) bytes, \(a) are free"
        case .alreadyQuantized(let p, let t, let ty):
            return "\(p): tensor \(t) is already quantized (\(ty)); requantizing loses accuracy"
        case .unsupportedForFormat(let f, let t, let s):
            return "type \(t) cannot be written to \(f); supported: \(s.joined(separator: ", "))"
        case .sourceTensorMissing(let t, let p): return "\(p): tensor \(t) is missing"
        case .tensorFailed(let t, let r): return "tensor \(t): \(r)"
        case .noEncoder(let t, let ty, let r, let counts, let s):
            return "tensor \(t) is planned as \(ty) (\(r)), which Ingot cannot produce yet; planned tensors Ingot cannot "
                + "produce: \(counts.joined(separator: ", ")); Ingot can produce \(s.joined(separator: ", "))"
        }
    }

    public var hint: String? {
        switch self {
        case .alreadyQuantized: return "pass --allow-requantize to quantize it anyway"
        case .notEnoughSpace: return "free some space or write to another disk"
        case .noEncoder:
            return "nothing was written; choose another --type, or give those tensors a type Ingot can produce with --tensor-type PATTERN=TYPE"
        default: return nil
        }
    }
}
