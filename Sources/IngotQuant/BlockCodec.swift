import IngotCore

/// One ggml-style block type: turns one row of floats into blocks of bytes and back.
///
/// A codec works on ONE ROW at a time (`x.count` a multiple of `type.blockElements`), because the importance-weighted
/// quantizers of ggml (`quantize_row_<t>_impl`) use row-wide statistics. Rows are independent, so
/// ``Quantizer`` runs them in parallel and the result never depends on the thread count.
public protocol BlockCodec {
    /// The element type this codec reads and writes (its block geometry comes from ``ElementType``'s table).
    static var type: ElementType { get }
    /// False for decode-only types (ggml's activation formats Q8_1/Q8_K, types without a reference quantizer here).
    static var supportsEncode: Bool { get }
    /// Quantizes one row.
    /// - Parameters:
    ///   - x: the row, `n` floats, `n` a multiple of `type.blockElements`; every value finite.
    ///   - importance: nil, or `n` non-negative finite floats (an imatrix row: mean of squared activations per column).
    ///   - into: exactly `n / blockElements * blockBytes` bytes.
    /// - Throws: ``QuantError`` for a bad row length, buffer size, NaN/Inf input, or a decode-only type.
    static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                       into: UnsafeMutableRawBufferPointer) throws
    /// Dequantizes whole blocks: `q.count / blockBytes` blocks into `into.count` floats.
    /// Sizes must agree (`q.count == into.count / blockElements * blockBytes`): a mismatch is a programmer error.
    /// Any byte pattern decodes (hostile files cannot trap here; F16 scales may decode to Inf/NaN).
    static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>)
}

extension BlockCodec {
    public static var supportsEncode: Bool { true }

    /// Checks the arguments of ``encode(_:importance:into:)`` and returns the number of blocks.
    ///
    /// Every encoder calls this first, so a codec used on its own is as safe as one used through ``Quantizer``.
    /// With `checkFinite: false` the caller promises to detect NaN/Inf itself (fused into its own pass) and to
    /// throw ``QuantError/nonFinite(value:index:rowLength:)`` through ``nonFiniteError(_:)``.
    @inline(__always)
    public static func validateEncode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                                      into: UnsafeMutableRawBufferPointer, checkFinite: Bool = true) throws -> Int {
        guard supportsEncode else { throw QuantError.encodeUnsupported(type, supported: Codecs.encodable) }
        let qk = type.blockElements
        guard x.count % qk == 0 else { throw QuantError.rowLengthNotMultiple(type: type, rowLength: x.count, blockSize: qk) }
        let blocks = x.count / qk
        guard into.count == blocks * type.blockBytes else {
            throw QuantError.bufferSize(what: "\(type.displayName) output for a row of \(x.count)",
                                        expected: blocks * type.blockBytes, found: into.count)
        }
        if let w = importance {
            guard w.count == x.count else {
                throw QuantError.bufferSize(what: "importance row for a row of \(x.count)", expected: x.count, found: w.count)
            }
            if let i = FiniteCheck.firstNonFinite(w) { throw QuantError.nonFiniteImportance(value: w[i], index: i) }
        }
        if checkFinite, let i = FiniteCheck.firstNonFinite(x) { throw QuantError.nonFinite(value: x[i], index: i, rowLength: x.count) }
        return blocks
    }

    /// The error for the first NaN/Inf of a row a fused check found to hold one.
    public static func nonFiniteError(_ x: UnsafeBufferPointer<Float>) -> QuantError {
        let i = FiniteCheck.firstNonFinite(x) ?? 0
        return QuantError.nonFinite(value: x[i], index: i, rowLength: x.count)
    }

    /// Checks the sizes of a decode call (programmer error when they disagree) and returns the number of blocks.
    @inline(__always)
    public static func validateDecode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) -> Int {
        let blocks = into.count / type.blockElements
        precondition(into.count % type.blockElements == 0 && q.count == blocks * type.blockBytes,
                     "\(type.displayName) decode: \(q.count) bytes for \(into.count) floats")
        return blocks
    }
}

/// The first NaN or ±Inf in a buffer, found eight lanes at a time (exponent field all ones).
public enum FiniteCheck {
    /// Index of the first non-finite value, or nil when all are finite.
    public static func firstNonFinite(_ x: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = x.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        let n = x.count
        var i = 0
        let expMask = SIMD8<UInt32>(repeating: 0x7F80_0000)
        while i + 8 <= n {
            let bits = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<UInt32>.self)
            if any((bits & expMask) .== expMask) { break }
            i += 8
        }
        while i < n {
            if !x[i].isFinite { return i }
            i += 1
        }
        return nil
    }
}
