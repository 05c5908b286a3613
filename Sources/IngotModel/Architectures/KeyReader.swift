import IngotCore

/// Reads an architecture's key table from one world — a decoded config.json or GGUF metadata — applying that
/// world's defaults. Every error names the file and the key as that world spells it.
public struct KeyReader {
    public let table: KeyTable
    public let world: TensorWorld
    let config: ModelConfig?
    let metadata: Metadata?
    /// GGUF `general.architecture` (the `{arch}.` prefix).
    public let arch: String
    public let file: String

    public init(table: KeyTable, config: ModelConfig, arch: String) {
        self.table = table
        world = .huggingFace
        self.config = config
        metadata = nil
        self.arch = arch
        file = config.path
    }

    public init(table: KeyTable, gguf: Metadata, arch: String, file: String) {
        self.table = table
        world = .gguf
        config = nil
        metadata = gguf
        self.arch = arch
        self.file = file
    }

    /// The value of row `name` in this world, else the world's default; nil when neither (or no such row).
    public func value(_ name: ParameterName) throws -> KeyValue? {
        guard let row = table.row(name) else { return nil }
        let v: KeyValue?
        if let config { v = try row.read(config) } else { v = try row.read(metadata!, arch: arch, file: file) }
        return v ?? (world == .gguf ? row.ggufDefault : row.configDefault)
    }

    public func int(_ name: ParameterName) throws -> Int? { try value(name)?.int }
    public func double(_ name: ParameterName) throws -> Double? { try value(name)?.double }
    public func bool(_ name: ParameterName) throws -> Bool? { try value(name)?.bool }
    public func string(_ name: ParameterName) throws -> String? { try value(name)?.string }
    public func ints(_ name: ParameterName) throws -> [Int]? { try value(name)?.ints }

    /// The key named in messages for `name` in this world.
    public func key(_ name: ParameterName) -> String {
        table.row(name)?.messageKey(gguf: world == .gguf, arch: arch) ?? name.rawValue
    }

    /// An error about `name`, naming the file and the key.
    public func error(_ name: ParameterName, _ message: String) -> ConfigError {
        ConfigError(path: file, key: key(name), message: message)
    }

    /// A value that must be there.
    public func need(_ name: ParameterName) throws -> Int {
        guard let v = try int(name) else { throw error(name, "missing") }
        return v
    }
}
