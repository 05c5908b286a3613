/// An open-addressing map from byte strings to a 64-bit payload, with all keys in one arena.
///
/// The tokenizer looks up a byte slice of the input for every pre-token (vocabulary lookups, the word cache);
/// Swift's `Dictionary<[UInt8], …>` would allocate an array per lookup. Here a lookup hashes the slice in
/// place and compares it against the arena.
struct ByteStringMap {
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private(set) var values: [UInt64] = []
    private var arena: [UInt8] = []
    private var mask: Int

    init(capacity: Int = 16) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        slots = Array(repeating: -1, count: c)
        mask = c - 1
    }

    var count: Int { values.count }
    var arenaBytes: Int { arena.count }

    /// FNV-style multiply-xor over 8-byte words and the tail bytes, then a final mix (so the low bits used for
    /// slots depend on every byte).
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        guard let base = p.baseAddress else { return h }
        let n = p.count
        var i = 0
        // Eight bytes at a time, then the tail (FNV-style mixing; only needs to be deterministic and spread well).
        while i + 8 <= n {
            h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x0000_0100_0000_01B3
            h ^= h >> 32
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(base.load(fromByteOffset: i, as: UInt8.self))) &* 0x0000_0100_0000_01B3
            i += 1
        }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return h
    }

    /// The payload stored for `key`, or nil.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer) -> UInt64? {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        return slots.withUnsafeBufferPointer { sl in
            arena.withUnsafeBytes { ar in
                while true {
                    let e = Int(sl[i])
                    if e < 0 { return nil }
                    if hashes[e] == h && Int(keyLength[e]) == key.count {
                        let st = Int(keyStart[e])
                        if key.count == 0 || memcmpEqual(ar.baseAddress! + st, key.baseAddress!, key.count) {
                            return values[e]
                        }
                    }
                    i = (i + 1) & mask
                }
            }
        }
    }

    func find(_ key: [UInt8]) -> UInt64? { key.withUnsafeBytes { find($0) } }

    /// Stores `value` for `key`; an existing key keeps its first value unless `replace` (returns whether stored).
    @discardableResult
    mutating func insert(_ key: UnsafeRawBufferPointer, _ value: UInt64, replace: Bool = false) -> Bool {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = Int(slots[i])
            if e < 0 { break }
            if hashes[e] == h && Int(keyLength[e]) == key.count {
                let st = Int(keyStart[e])
                if arena[st..<st + key.count].elementsEqual(key) {
                    if replace { values[e] = value }
                    return replace
                }
            }
            i = (i + 1) & mask
        }
        slots[i] = Int32(values.count)
        hashes.append(h)
        keyStart.append(Int32(arena.count))
        keyLength.append(Int32(key.count))
        values.append(value)
        arena.append(contentsOf: key)
        if values.count * 2 > slots.count { grow() }
        return true
    }

    @discardableResult
    mutating func insert(_ key: [UInt8], _ value: UInt64, replace: Bool = false) -> Bool {
        key.withUnsafeBytes { insert($0, value, replace: replace) }
    }

    /// Drops every entry, keeping the capacity.
    mutating func removeAll() {
        for i in slots.indices { slots[i] = -1 }
        hashes.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        keyLength.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
    }

    private mutating func grow() {
        let c = slots.count * 2
        slots = Array(repeating: -1, count: c)
        mask = c - 1
        for e in hashes.indices {
            var i = Int(truncatingIfNeeded: hashes[e]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(e)
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// An open-addressing map from a pair of symbol ids to a merge (rank, merged symbol).
struct PairTable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var c = 16
        while c < capacity * 2 { c <<= 1 }
        keys = Array(repeating: Self.empty, count: c)
        values = Array(repeating: 0, count: c)
        mask = c - 1
    }

    @inline(__always) static func key(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    @inline(__always) private static func slot(_ k: UInt64) -> Int {
        var h = k &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h)
    }

    /// (rank, merged) for the pair, or nil.
    @inline(__always)
    func find(_ a: Int32, _ b: Int32) -> (rank: Int32, merged: Int32)? {
        let k = Self.key(a, b)
        var i = Self.slot(k) & mask
        return keys.withUnsafeBufferPointer { ks in
            while true {
                let x = ks[i]
                if x == k {
                    let v = values[i]
                    return (Int32(truncatingIfNeeded: v >> 32), Int32(truncatingIfNeeded: v))
                }
                if x == Self.empty { return nil }
                i = (i + 1) & mask
            }
        }
    }

    /// Sets the pair's merge; an existing pair is replaced only when `replace`.
    mutating func insert(_ a: Int32, _ b: Int32, rank: Int32, merged: Int32, replace: Bool) {
        let k = Self.key(a, b)
        var i = Self.slot(k) & mask
        while keys[i] != Self.empty && keys[i] != k { i = (i + 1) & mask }
        if keys[i] == k && !replace { return }
        if keys[i] != k { count += 1 }
        keys[i] = k
        values[i] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
        if count * 2 > keys.count { grow() }
    }

    private mutating func grow() {
        let oldK = keys, oldV = values
        let c = keys.count * 2
        keys = Array(repeating: Self.empty, count: c)
        values = Array(repeating: 0, count: c)
        mask = c - 1
        for (j, k) in oldK.enumerated() where k != Self.empty {
            var i = Self.slot(k) & mask
            while keys[i] != Self.empty { i = (i + 1) & mask }
            keys[i] = k
            values[i] = oldV[j]
        }
    }
}
