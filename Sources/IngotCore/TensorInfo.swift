/// One tensor as a container describes it. `shape` is outermost first (PyTorch / safetensors order);
/// GGUF's `ne` order is the reverse and is converted at the format boundary.
public struct TensorInfo: Sendable, Equatable {
    public var name: String
    public var type: ElementType
    /// Dimensions, outermost first: a Linear weight is `[out, in]`.
    public var shape: [Int]
    /// Byte offset of the data from the start of the container's data section.
    public var offset: Int
    /// Bytes of data.
    public var byteCount: Int

    public init(name: String, type: ElementType, shape: [Int], offset: Int = 0, byteCount: Int) {
        self.name = name
        self.type = type
        self.shape = shape
        self.offset = offset
        self.byteCount = byteCount
    }

    /// Builds the info with its byte count computed (checked) from type and shape.
    public init(name: String, type: ElementType, shape: [Int], offset: Int = 0) throws {
        self.init(name: name, type: type, shape: shape, offset: offset, byteCount: try type.byteCount(shape: shape))
    }

    /// Number of elements (product of the shape).
    public var elementCount: Int { shape.reduce(1, *) }
    /// Length of the innermost dimension (the row), 1 for a scalar.
    public var rowLength: Int { shape.last ?? 1 }
    /// Number of rows (all dimensions but the last).
    public var rowCount: Int { shape.dropLast().reduce(1, *) }
}

/// Where one tensor's bytes live: the file and the absolute byte offset in it.
public struct TensorLocation: Sendable, Equatable {
    /// The file (a shard of a multi-file source).
    public var path: String
    /// Absolute byte offset of the data in that file.
    public var offset: Int

    public init(path: String, offset: Int) {
        self.path = path
        self.offset = offset
    }
}

/// A container after header validation: typed metadata in file order, tensor table, and zero-copy access to bytes.
///
/// A source may span several files (safetensors shards, a gguf-split set); callers see one tensor table and never
/// the files' mappings: bytes are lent inside `withBytes` scopes, `location(of:)` says where a tensor lives, and
/// `release(_:)` drops a consumed tensor's pages so reading a model larger than memory stays bounded.
public protocol TensorSource: AnyObject {
    /// Short format name: `"safetensors"`, `"gguf"`.
    var formatName: String { get }
    /// Path the source was opened from (a file, or the directory of a sharded checkpoint).
    var path: String { get }
    var metadata: Metadata { get }
    /// Tensors in file order (files in order, tensors in data order within each).
    var tensors: [TensorInfo] { get }
    /// Calls `body` with the raw bytes of tensor `name` (valid only inside `body`).
    func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R
    /// Every file the tensor data comes from, in order (one for a single file).
    var filePaths: [String] { get }
    /// The info of tensor `name`, or nil.
    func info(_ name: String) -> TensorInfo?
    /// The file holding tensor `name` and the absolute offset of its data there.
    func location(of name: String) -> TensorLocation?
    /// Drops the resident pages of tensor `name` once it has been consumed (the data stays readable).
    func release(_ name: String)
    /// The tensors grouped by the file holding them, files in `filePaths` order, tensors in file order within
    /// each (the order a converter that reads file by file sees them).
    var tensorsByFile: [[TensorInfo]] { get }
}

extension TensorSource {
    /// The info of tensor `name`, or nil.
    public func tensor(named name: String) -> TensorInfo? { info(name) }

    public var filePaths: [String] { [path] }
    public func info(_ name: String) -> TensorInfo? { tensors.first { $0.name == name } }
    public func location(of name: String) -> TensorLocation? {
        info(name).map { TensorLocation(path: path, offset: $0.offset) }
    }
    public func release(_ name: String) {}

    public var tensorsByFile: [[TensorInfo]] {
        let files = filePaths
        var index: [String: Int] = [:]
        for (i, f) in files.enumerated() where index[f] == nil { index[f] = i }
        var groups = [[TensorInfo]](repeating: [], count: max(1, files.count))
        for t in tensors {
            let i = location(of: t.name).flatMap { index[$0.path] } ?? 0
            groups[i].append(t)
        }
        return groups
    }

    /// Calls `body` with the bytes of every tensor in `names`, in that order (all valid only inside `body`).
    public func withBytes<R>(of names: [String], _ body: ([UnsafeRawBufferPointer]) throws -> R) throws -> R {
        func nest(_ i: Int, _ acc: inout [UnsafeRawBufferPointer]) throws -> R {
            if i == names.count { return try body(acc) }
            return try withBytes(of: names[i]) { b in
                acc.append(b)
                return try nest(i + 1, &acc)
            }
        }
        var acc: [UnsafeRawBufferPointer] = []
        acc.reserveCapacity(names.count)
        return try nest(0, &acc)
    }
}

/// A container being written: everything declared first, then data streamed in declaration order.
public protocol TensorSink: AnyObject {
    func declare(_ info: TensorInfo) throws
    /// Writes the data of the next declared tensor (must be `name`, in declaration order).
    func write(_ name: String, bytes: UnsafeRawBufferPointer) throws
    /// Completes the file: fsync, rename into place.
    func finish() throws
    /// Removes any partial output.
    func abandon()
    /// The files this sink writes, in order (several for a split or sharded output; complete once every
    /// tensor has been declared and written).
    var outputPaths: [String] { get }
}
