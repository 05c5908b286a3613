import Foundation

/// Scratch space for tests: fresh directories under the system temporary directory, removed by the caller.
extension Fixtures {
    /// A fresh, empty temporary directory named `tag-UUID`; remove it with `cleanup`.
    public static func temporaryDirectory(_ tag: String = "ingot-test") -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(tag)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Removes a directory made by `temporaryDirectory` (and everything in it).
    public static func cleanup(_ dir: String) { try? FileManager.default.removeItem(atPath: dir) }

    /// Writes `bytes` to a new file at `path`.
    public static func write(_ bytes: [UInt8], to path: String) {
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
}
