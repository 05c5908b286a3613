import Foundation
import Testing

/// What went wrong across a sweep of hostile mutants, so one failure report lists the first few instead of
/// thousands of separate failures.
public struct HostileFindings {
    /// One line per misbehaving mutant: its label and what it did.
    public var problems: [String] = []
    /// Mutants the reader accepted (and the test then used) and mutants it rejected with an error.
    public var accepted = 0
    public var rejected = 0

    public init() {}

    public mutating func fail(_ label: String, _ what: String) { problems.append("\(label): \(what)") }

    /// The failure comment: how many `what` mutants misbehaved, and the first 15 of them.
    public func report(_ what: String) -> Comment {
        Comment(rawValue: "\(problems.count) \(what) mutants misbehaved:\n" + problems.prefix(15).joined(separator: "\n"))
    }
}

extension HostileMutator {
    /// Header offsets swept: every `n`-th in debug builds (50× slower), all of them in release builds (CI) or
    /// with INGOT_HOSTILE_FULL=1.
    public static func debugStep(_ n: Int) -> Int {
        #if DEBUG
        return ProcessInfo.processInfo.environment["INGOT_HOSTILE_FULL"] == nil ? n : 1
        #else
        return 1
        #endif
    }
}
