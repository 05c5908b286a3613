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

/// A container after header validation: typed metadata in file order, tensor table, and zero-copy access to bytes.
public protocol TensorSource: AnyObject {
    /// Short format name: `"safetensors"`, `"gguf"`.
    var formatName: String { get }
    /// Path the source was opened from (a file, or the directory of a sharded checkpoint).
    var path: String { get }
    var metadata: Metadata { get }
    /// Tensors in file order.
    var tensors: [TensorInfo] { get }
    /// Calls `body` with the raw bytes of tensor `name` (valid only inside `body`).
    func withBytes<R>(of name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R
}

extension TensorSource {
    /// The info of tensor `name`, or nil.
    public func tensor(named name: String) -> TensorInfo? { tensors.first { $0.name == name } }
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
}
