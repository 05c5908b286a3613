import IngotCore

/// A safetensors file or sharded checkpoint that breaks one of the format's rules (docs: Formats/safetensors.md).
/// Every message starts with the file and names the tensor, key or byte offset at fault.
public enum SafetensorsError: IngotDiagnostic, Equatable {
    /// The file is shorter than the 8-byte header length.
    case headerTooSmall(path: String, fileSize: Int)
    /// The header length exceeds the 100,000,000-byte cap (checked before reading it).
    case headerTooLarge(path: String, length: UInt64)
    /// 8 + header length runs past the end of the file.
    case headerPastEnd(path: String, length: UInt64, fileSize: Int)
    /// The header is not valid UTF-8 JSON; `offset` is the absolute file offset of the fault.
    case invalidHeaderJSON(path: String, offset: Int, message: String)
    /// The header JSON has the wrong shape (top level not an object, entry missing a field, …).
    case invalidEntry(path: String, tensor: String, reason: String)
    /// A dtype string safetensors does not define.
    case unknownDType(path: String, tensor: String, dtype: String)
    /// A dtype safetensors defines but Ingot does not handle (F4, F6_*, F8_E8M0, *FNUZ, C64).
    case unsupportedDType(path: String, tensor: String, dtype: String)
    /// A tensor name repeated in one header.
    case duplicateTensor(path: String, tensor: String)
    /// `__metadata__` is not a flat string → string object.
    case invalidMetadata(path: String, key: String, reason: String)
    /// shape × dtype does not match the byte span of `data_offsets` (or overflows).
    case sizeMismatch(path: String, tensor: String, shape: [Int], dtype: String, expectedBytes: Int?, begin: Int, end: Int)
    /// `data_offsets` leave a hole, overlap, do not start at 0, or end before they begin.
    case invalidOffset(path: String, tensor: String, begin: Int, end: Int, expectedBegin: Int)
    /// The tensors do not cover the data buffer exactly (trailing bytes, or data past the end of the file).
    case incompleteBuffer(path: String, covered: Int, bufferSize: Int)
    /// `model.safetensors.index.json` is not of the expected schema.
    case invalidIndex(path: String, reason: String)
    /// The index maps a tensor to a shard file that does not exist.
    case missingShard(index: String, shard: String, tensor: String)
    /// The index maps a tensor to a shard that does not contain it.
    case tensorNotInShard(index: String, tensor: String, shard: String)
    /// A shard holds a tensor the index does not list (or lists under another shard).
    case tensorNotInIndex(index: String, tensor: String, shard: String)
    /// The same tensor name appears in two shards.
    case tensorInTwoShards(tensor: String, first: String, second: String)
    /// A path that is not a safetensors file, index or checkpoint directory.
    case noCheckpoint(path: String, reason: String)
    /// The writer was used out of order or given bytes that do not match what was declared.
    case writeMisuse(path: String, reason: String)

    public var description: String {
        switch self {
        case .headerTooSmall(let p, let size):
            return "\(p): file is \(size) bytes, too small for the 8-byte safetensors header length"
        case .headerTooLarge(let p, let n):
            return "\(p): header length \(n) at byte 0 exceeds the 100000000-byte limit"
        case .headerPastEnd(let p, let n, let size):
            return "\(p): header length \(n) at byte 0 runs past the end of the file (\(size) bytes)"
        case .invalidHeaderJSON(let p, let off, let msg):
            return "\(p): header is not valid JSON at byte \(off): \(msg)"
        case .invalidEntry(let p, let t, let reason):
            return "\(p): header entry '\(t)': \(reason)"
        case .unknownDType(let p, let t, let d):
            return "\(p): tensor '\(t)' has unknown dtype '\(d)'"
        case .unsupportedDType(let p, let t, let d):
            return "\(p): tensor '\(t)' has dtype '\(d)', which Ingot does not support"
        case .duplicateTensor(let p, let t):
            return "\(p): tensor '\(t)' appears twice in the header"
        case .invalidMetadata(let p, let k, let reason):
            return "\(p): __metadata__ key '\(k)': \(reason)"
        case .sizeMismatch(let p, let t, let shape, let d, let expected, let b, let e):
            let exp = expected.map { "\($0) bytes" } ?? "a size that overflows"
            return "\(p): tensor '\(t)' (\(d) \(shape)) needs \(exp) but data_offsets [\(b), \(e)] span \(e - b)"
        case .invalidOffset(let p, let t, let b, let e, let expected):
            if e < b { return "\(p): tensor '\(t)' has data_offsets [\(b), \(e)]: end before begin" }
            let what = b > expected ? "leaving a hole" : (expected == 0 ? "data must start at 0" : "overlapping the previous tensor")
            return "\(p): tensor '\(t)' has data_offsets [\(b), \(e)], expected begin \(expected) (\(what))"
        case .incompleteBuffer(let p, let covered, let size):
            return "\(p): tensors cover \(covered) bytes of the \(size)-byte data buffer (file not fully covered)"
        case .invalidIndex(let p, let reason):
            return "\(p): \(reason)"
        case .missingShard(let idx, let shard, let t):
            return "\(idx): tensor '\(t)' is mapped to '\(shard)', which does not exist"
        case .tensorNotInShard(let idx, let t, let shard):
            return "\(idx): tensor '\(t)' is mapped to '\(shard)', which does not contain it"
        case .tensorNotInIndex(let idx, let t, let shard):
            return "\(idx): shard '\(shard)' holds tensor '\(t)', which the weight_map does not map to it"
        case .tensorInTwoShards(let t, let a, let b):
            return "tensor '\(t)' appears in both '\(a)' and '\(b)'"
        case .noCheckpoint(let p, let reason):
            return "\(p): \(reason)"
        case .writeMisuse(let p, let reason):
            return "\(p): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .headerTooSmall, .headerPastEnd, .incompleteBuffer:
            return "the file looks truncated or padded; re-download or re-export it"
        case .headerTooLarge, .invalidHeaderJSON:
            return "this does not look like a safetensors file; check its format"
        case .unsupportedDType:
            return "convert the tensor to a supported dtype (F32, F16, BF16, F8_E4M3, F8_E5M2, integers, BOOL)"
        case .missingShard, .tensorNotInShard, .tensorNotInIndex, .tensorInTwoShards, .invalidIndex:
            return "the shards and model.safetensors.index.json disagree; re-download the checkpoint"
        case .noCheckpoint:
            return "pass a .safetensors file, a model.safetensors.index.json, or a directory holding them"
        case .writeMisuse:
            return nil
        default:
            return "the header is inconsistent; the file was written by a faulty tool or damaged"
        }
    }
}
