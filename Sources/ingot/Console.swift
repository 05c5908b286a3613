import Foundation

/// Writes to the standard streams without touching C's global `stderr` (shared mutable state to Swift 6):
/// unbuffered, like `fputs` to stderr.
enum Console {
    /// Writes `text` to stderr as is (no newline added).
    static func error(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
    /// Writes `text` to stdout unbuffered, so it is ordered with what goes to stderr.
    static func output(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
}
