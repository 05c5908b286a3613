import Foundation

/// Deterministic corruptions of a valid file, for the hostile-input sweeps: truncations, byte flips, and
/// over-long / negative / huge values written over every field position of the header region.
/// Shared by every test target that sweeps a reader (formats, model inputs); seeded, so a failing mutant is
/// reproduced from its label and the seed.
public struct HostileMutator {
    /// One corrupted file: how it was made (for failure messages) and its bytes.
    public struct Mutant {
        public var label: String
        public var bytes: [UInt8]
        public init(label: String, bytes: [UInt8]) {
            self.label = label
            self.bytes = bytes
        }
    }

    /// Values written over 8-byte fields (counts, lengths, dimensions, offsets): zero, the 31/32/40/60-bit edges,
    /// the largest signed and unsigned values, and negatives.
    public static let wide: [UInt64] = [
        0, 1 << 31, 1 << 32, 1 << 40, 1 << 60, UInt64(Int64.max), UInt64.max,
        UInt64(bitPattern: -2), UInt64(bitPattern: Int64(Int32.min)), UInt64(bitPattern: Int64.min),
    ]
    /// Values written over 4-byte fields (type ids, dimension counts, versions).
    public static let narrow: [UInt32] = [0, 3, 13, 39, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF]

    public let base: [UInt8]
    public var rng: SeededRandom

    public init(_ base: [UInt8], seed: UInt64) {
        self.base = base
        rng = SeededRandom(seed: seed)
    }

    /// Every mutant for `base`: `header` is the byte range swept exhaustively (every offset, every value);
    /// `boundaries` are extra truncation points (section and tensor boundaries); `randomFlips` byte flips land
    /// anywhere in the file. `step` > 1 sweeps every step-th header offset (with a seeded phase) to bound the time.
    public mutating func all(header: Range<Int>, boundaries: [Int], randomFlips: Int, step: Int = 1) -> [Mutant] {
        var out: [Mutant] = []
        let header = header.clamped(to: 0..<base.count)
        // Truncation at every (step-th) header offset and at every boundary (±1).
        let phase = step > 1 ? rng.below(step) : 0
        var cuts = Set(header.filter { ($0 - header.lowerBound) % step == phase })
        for b in boundaries { for d in -1...1 where b + d >= 0 && b + d < base.count { cuts.insert(b + d) } }
        for _ in 0..<16 { cuts.insert(rng.below(base.count)) }
        for n in cuts.sorted() { out.append(Mutant(label: "truncated to \(n) bytes", bytes: Array(base[0..<n]))) }
        // Wide and narrow values over every header position.
        for at in header where (at - header.lowerBound) % step == phase {
            for v in HostileMutator.wide where at + 8 <= base.count {
                out.append(Mutant(label: "u64 \(v) at \(at)", bytes: overwrite(at, v, width: 8)))
            }
            for v in HostileMutator.narrow where at + 4 <= base.count {
                out.append(Mutant(label: "u32 \(v) at \(at)", bytes: overwrite(at, UInt64(v), width: 4)))
            }
            // Single-byte damage: all bits flipped, top bit flipped (ASCII → invalid UTF-8), zeroed.
            for (what, f) in [("xor FF", { (b: UInt8) in b ^ 0xFF }), ("xor 80", { $0 ^ 0x80 }), ("zero", { _ in 0 })] {
                var m = base
                m[at] = f(m[at])
                if m[at] != base[at] { out.append(Mutant(label: "byte \(at) \(what)", bytes: m)) }
            }
        }
        // Random flips over the whole file (data included), one to three bytes each.
        for k in 0..<randomFlips {
            var m = base
            var where_: [Int] = []
            for _ in 0...rng.below(3) {
                let at = rng.below(base.count)
                m[at] = UInt8(truncatingIfNeeded: rng.next())
                where_.append(at)
            }
            out.append(Mutant(label: "random flip #\(k) at \(where_)", bytes: m))
        }
        return out
    }

    public func overwrite(_ at: Int, _ v: UInt64, width: Int) -> [UInt8] {
        var m = base
        for j in 0..<width { m[at + j] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(j))) }
        return m
    }

    /// Mutants that replace `range` (a string's bytes) with invalid UTF-8 of the same length: a stray
    /// continuation byte, an overlong encoding, a surrogate, and 0xFF.
    public func invalidUTF8(in range: Range<Int>, label: String) -> [Mutant] {
        guard !range.isEmpty else { return [] }
        var out: [Mutant] = []
        for seq: [UInt8] in [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF], [0xE2, 0x82]] where seq.count <= range.count {
            var m = base
            for (j, b) in seq.enumerated() { m[range.lowerBound + j] = b }
            out.append(Mutant(label: "invalid UTF-8 \(seq) in \(label)", bytes: m))
        }
        return out
    }
}

/// Writes mutants to a scratch directory, one fresh file each (a mapping of an earlier mutant is never reused).
public struct MutantFiles {
    public let directory: String
    public let fileName: String
    private var counter = 0

    public init(tag: String, fileName: String) {
        // Memory-backed /dev/shm where there is one: the files are tiny and short-lived.
        let shm = URL(fileURLWithPath: "/dev/shm")
        let root = FileManager.default.isWritableFile(atPath: shm.path) ? shm : FileManager.default.temporaryDirectory
        directory = root.appendingPathComponent("ingot-\(tag)-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.fileName = fileName
    }

    /// Writes `bytes` to a new file named `N-fileName`.
    public mutating func write(_ bytes: [UInt8]) -> String {
        counter += 1
        let path = directory + "/\(counter)-" + fileName
        // A plain write (no atomic rename): thousands of mutants are written per test.
        try? Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Removes a mutant's file.
    public func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    public func cleanup() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Peak resident set of this process in bytes (`VmHWM`), or nil where /proc is missing.
public func peakResidentBytes() -> Int? {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Int($0) }
        if let kb = digits.first { return kb * 1024 }
    }
    return nil
}
