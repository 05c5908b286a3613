/// An error the CLI can print as-is: a message naming the file, what is wrong and where, and an exit status.
///
/// Exit statuses follow docs/design.md: 2 bad usage or bad input, 1 a failed job or check.
public protocol IngotDiagnostic: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
    /// One line of advice ("check that …"), or nil.
    var hint: String? { get }
}

extension IngotDiagnostic {
    public var exitCode: Int32 { 2 }
    public var hint: String? { nil }
}

extension FileError: IngotDiagnostic {}
extension SizeError: IngotDiagnostic {}

/// A plain diagnostic for one-off failures that do not merit their own case.
public struct IngotFailure: IngotDiagnostic, Sendable {
    public let description: String
    public let exitCode: Int32
    public let hint: String?
    public init(_ description: String, exitCode: Int32 = 2, hint: String? = nil) {
        self.description = description
        self.exitCode = exitCode
        self.hint = hint
    }
}
