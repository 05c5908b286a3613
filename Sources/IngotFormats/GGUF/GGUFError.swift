import IngotCore

/// A GGUF file that breaks one of llama.cpp's loader checks (docs: Formats/gguf.md). Every message starts with
/// the file and names the key, tensor or byte offset at fault.
public enum GGUFError: IngotDiagnostic, Equatable {
    /// A read ran past the end of the file while reading `what`.
    case truncated(path: String, what: String, offset: Int, needed: Int, remaining: Int)
    /// The first four bytes are not `GGUF`.
    case badMagic(path: String, found: [UInt8])
    /// Version 0, 1 (no longer supported) or above 3.
    case unsupportedVersion(path: String, version: UInt32)
    /// The version field reads as a byte-swapped small number: a big-endian GGUF.
    case bigEndian(path: String, version: UInt32)
    /// A tensor or key count larger than the rest of the file could hold (checked before allocating).
    case countTooLarge(path: String, what: String, count: UInt64, offset: Int, remaining: Int)
    /// A string length above the 1 GiB cap or past the end of the file.
    case stringTooLong(path: String, what: String, length: UInt64, offset: Int, remaining: Int)
    /// An array count above 1024³ elements or larger than the rest of the file.
    case arrayTooLong(path: String, key: String, count: UInt64, offset: Int, remaining: Int)
    /// A value type id outside 0…12 (or an array of arrays).
    case invalidValueType(path: String, key: String, typeID: Int32, offset: Int)
    case nestedArray(path: String, key: String, offset: Int)
    case emptyKey(path: String, offset: Int)
    case duplicateKey(path: String, key: String, offset: Int)
    /// A key or tensor name that is not valid UTF-8.
    case invalidUTF8(path: String, what: String, offset: Int)
    /// `general.alignment` of the wrong type, zero, or not a power of two.
    case badAlignment(path: String, reason: String)
    /// A tensor name of 64 bytes or more (`GGML_MAX_NAME`).
    case nameTooLong(path: String, name: String, length: Int, offset: Int)
    case duplicateTensor(path: String, name: String, offset: Int)
    case tooManyDimensions(path: String, tensor: String, dimensions: UInt32, offset: Int)
    case negativeDimension(path: String, tensor: String, index: Int, value: Int64)
    case sizeOverflow(path: String, tensor: String, ne: [Int64])
    /// A ggml type id that is out of range or names a removed type.
    case unknownType(path: String, tensor: String, typeID: Int32, offset: Int)
    /// `ne[0]` is not a multiple of the type's block size.
    case partialBlock(path: String, tensor: String, rowLength: Int64, type: String, blockElements: Int)
    /// Offsets must be exactly contiguous in info order.
    case badOffset(path: String, tensor: String, offset: UInt64, expected: Int)
    /// Tensor data beyond the end of the file.
    case dataOutOfBounds(path: String, tensor: String, end: Int, fileSize: Int)
    /// The aligned start of the data section is past the end of the file.
    case dataSectionPastEnd(path: String, dataOffset: Int, fileSize: Int)
    /// A writer used out of order, or given a value or tensor GGUF cannot hold.
    case writeMisuse(path: String, reason: String)
    /// A gguf-split set whose files do not fit together (naming, `split.no` order, a tensor in two shards,
    /// `split.tensors.count`); `path` is the file at fault.
    case badSplit(path: String, reason: String)

    public var description: String {
        switch self {
        case .truncated(let p, let what, let off, let need, let rem):
            return "\(p): file ends inside \(what): needs \(need) bytes at offset \(off), \(rem) left"
        case .badMagic(let p, let found):
            let hex = found.map { String(format: "%02X", $0) }.joined(separator: " ")
            return "\(p): not a GGUF file: magic at offset 0 is [\(hex)], expected 47 47 55 46 (\"GGUF\")"
        case .unsupportedVersion(let p, let v):
            switch v {
            case 0: return "\(p): bad GGUF version 0 at offset 4"
            case 1: return "\(p): GGUF version 1 at offset 4 is no longer supported (only 2 and 3)"
            default: return "\(p): unsupported GGUF version \(v) at offset 4 (only 2 and 3)"
            }
        case .bigEndian(let p, let v):
            return "\(p): GGUF version reads as 0x\(String(v, radix: 16, uppercase: true)) at offset 4: the file is big-endian, Ingot reads little-endian GGUF only"
        case .countTooLarge(let p, let what, let n, let off, let rem):
            return "\(p): \(what) \(n) at offset \(off) is more than the remaining \(rem) bytes can hold"
        case .stringTooLong(let p, let what, let n, let off, let rem):
            return "\(p): \(what) has length \(n) at offset \(off), past the end of the file (\(rem) bytes left) or above the 1 GiB limit"
        case .arrayTooLong(let p, let key, let n, let off, let rem):
            return "\(p): key '\(key)': array of \(n) elements at offset \(off) exceeds the remaining \(rem) bytes or the 1073741824-element limit"
        case .invalidValueType(let p, let key, let t, let off):
            return "\(p): key '\(key)' has invalid value type \(t) at offset \(off) (valid: 0…12)"
        case .nestedArray(let p, let key, let off):
            return "\(p): key '\(key)' is an array of arrays at offset \(off), which GGUF does not allow"
        case .emptyKey(let p, let off):
            return "\(p): empty key at offset \(off)"
        case .duplicateKey(let p, let key, let off):
            return "\(p): duplicate key '\(key)' at offset \(off)"
        case .invalidUTF8(let p, let what, let off):
            return "\(p): \(what) at offset \(off) is not valid UTF-8"
        case .badAlignment(let p, let reason):
            return "\(p): general.alignment \(reason)"
        case .nameTooLong(let p, let name, let len, let off):
            return "\(p): tensor name '\(name)' at offset \(off) is \(len) bytes; the limit is 63"
        case .duplicateTensor(let p, let name, let off):
            return "\(p): duplicate tensor name '\(name)' at offset \(off)"
        case .tooManyDimensions(let p, let t, let n, let off):
            return "\(p): tensor '\(t)' has \(n) dimensions at offset \(off); the limit is 4"
        case .negativeDimension(let p, let t, let i, let v):
            return "\(p): tensor '\(t)' has negative dimension ne[\(i)] = \(v)"
        case .sizeOverflow(let p, let t, let ne):
            return "\(p): tensor '\(t)' with ne \(ne) has a size that overflows 64 bits"
        case .unknownType(let p, let t, let id, let off):
            let why = (id >= 0 && id < ElementType.ggmlTypeCount) ? "a removed ggml type" : "not a ggml type"
            return "\(p): tensor '\(t)' has type id \(id) at offset \(off), \(why)"
        case .partialBlock(let p, let t, let ne0, let type, let blck):
            return "\(p): tensor '\(t)' has row length ne[0] = \(ne0), not a multiple of \(type)'s block size \(blck)"
        case .badOffset(let p, let t, let off, let expected):
            return "\(p): tensor '\(t)' has offset \(off), expected \(expected) (tensors must be contiguous in order)"
        case .dataOutOfBounds(let p, let t, let end, let size):
            return "\(p): tensor '\(t)' data ends at byte \(end), past the end of the file (\(size) bytes)"
        case .dataSectionPastEnd(let p, let off, let size):
            return "\(p): data section starts at offset \(off), past the end of the file (\(size) bytes)"
        case .writeMisuse(let p, let reason), .badSplit(let p, let reason):
            return "\(p): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .truncated, .dataOutOfBounds, .dataSectionPastEnd:
            return "the file looks truncated; check the download or that the writer finished"
        case .badMagic:
            return "check the file is a GGUF model (safetensors and others are detected by `ingot inspect`)"
        case .unsupportedVersion:
            return "re-convert the model with a current llama.cpp or Ingot"
        case .bigEndian:
            return "convert it back with gguf-py's gguf_convert_endian.py FILE little"
        case .writeMisuse:
            return nil
        case .badSplit:
            return "keep the files and names gguf-split gave the set, and pass its first file"
        case .badOffset:
            return "the file was written by a faulty tool; llama.cpp rejects it too"
        default:
            return "the header is malformed; llama.cpp would refuse this file too"
        }
    }
}
