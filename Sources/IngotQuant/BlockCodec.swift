import IngotCore

// MARK: - Decoding

/// One ggml-style block type Ingot can read: turns blocks of bytes back into floats.
///
/// A decoder provides the plain scalar transcription of ggml's `dequantize_row_<t>` (``decodeReference(_:blocks:into:)``)
/// and, where it pays, a fast path (``decodeFast(_:blocks:into:)``, by default the reference). The public entry point
/// ``decode(_:into:)`` checks sizes and runs the fast path; `FastPathTests` holds it equal to the reference, bit for
/// bit, for every decoder in ``Codecs``. Block geometry is never written in a codec: it is read from the type table
/// (``ElementType/blockElements``, ``ElementType/blockBytes``) through ``blockElements`` and ``blockBytes``.
///
/// Decode-only types (ggml's activation formats Q8_1/Q8_K, types without a reference quantizer here) conform to this
/// protocol only; types Ingot can also produce conform to ``BlockCodec``.
public protocol BlockDecoder: Sendable {
    /// The element type this decoder reads (its block geometry comes from ``ElementType``'s table).
    static var type: ElementType { get }

    /// The scalar reference dequantizer: `blocks` whole blocks at `q` into `blocks · blockElements` floats at `y`.
    /// Any byte pattern decodes (hostile files cannot trap here; F16 scales may decode to Inf/NaN).
    static func decodeReference(_ q: UnsafeRawPointer, blocks: Int, into y: UnsafeMutablePointer<Float>)

    /// The fast dequantizer, same contract and same floats as ``decodeReference(_:blocks:into:)``.
    /// Default: the reference itself.
    static func decodeFast(_ q: UnsafeRawPointer, blocks: Int, into y: UnsafeMutablePointer<Float>)

    /// Dequantizes whole blocks: `q.count / blockBytes` blocks into `into.count` floats.
    /// Sizes must agree (`q.count == into.count / blockElements * blockBytes`): a mismatch is a programmer error.
    /// Default: ``validateDecode(_:into:)`` then ``decodeFast(_:blocks:into:)``.
    static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>)
}

extension BlockDecoder {
    /// Elements per block, from the type table. Read it once per call (`let qk = blockElements`), not per block:
    /// the table lives in another module, so each read is a call.
    public static var blockElements: Int { type.blockElements }
    /// Bytes per block, from the type table (read once per call, as ``blockElements``).
    public static var blockBytes: Int { type.blockBytes }

    public static func decodeFast(_ q: UnsafeRawPointer, blocks: Int, into y: UnsafeMutablePointer<Float>) {
        decodeReference(q, blocks: blocks, into: y)
    }

    public static func decode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) {
        let nb = validateDecode(q, into: into)
        guard nb > 0 else { return }
        decodeFast(q.baseAddress!, blocks: nb, into: into.baseAddress!)
    }

    /// Checks the sizes of a decode call (programmer error when they disagree) and returns the number of blocks.
    @inline(__always)
    public static func validateDecode(_ q: UnsafeRawBufferPointer, into: UnsafeMutableBufferPointer<Float>) -> Int {
        let qk = blockElements, bytes = blockBytes
        let blocks = into.count / qk
        precondition(into.count % qk == 0 && q.count == blocks * bytes,
                     "\(type.displayName) decode: \(q.count) bytes for \(into.count) floats")
        return blocks
    }
}

// MARK: - Encoding

/// One ggml-style block type Ingot can produce: a ``BlockDecoder`` that also turns one row of floats into blocks.
///
/// A codec works on ONE ROW at a time (`x.count` a multiple of `type.blockElements`), because the importance-weighted
/// quantizers of ggml (`quantize_row_<t>_impl`) use row-wide statistics. Rows are independent, so
/// ``Quantizer`` runs them in parallel and the result never depends on the thread count.
///
/// Like decoding, encoding has a scalar reference (``encodeReference(_:_:blocks:into:)``, the transcription of ggml's
/// `quantize_<t>`: the `_ref` quantizer without importance, the `_impl` one with it) and a fast path
/// (``encodeFast(_:_:blocks:into:)``, by default the reference); `FastPathTests` holds ``encode(_:importance:into:)``
/// equal to the reference, bit for bit, for every codec in ``Codecs``, with and without importance.
public protocol BlockCodec: BlockDecoder {
    /// The scalar reference quantizer of one row of `blocks` blocks: `x` holds `blocks · blockElements` finite
    /// floats, `importance` nil or as many non-negative finite floats, `y` receives `blocks · blockBytes` bytes.
    static func encodeReference(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks: Int,
                                into y: UnsafeMutableRawPointer)

    /// The fast quantizer, same contract and same bytes as ``encodeReference(_:_:blocks:into:)``.
    /// Default: the reference itself.
    static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks: Int,
                           into y: UnsafeMutableRawPointer)

    /// Quantizes one row.
    /// - Parameters:
    ///   - x: the row, `n` floats, `n` a multiple of `type.blockElements`; every value finite.
    ///   - importance: nil, or `n` non-negative finite floats (an imatrix row: mean of squared activations per column).
    ///   - into: exactly `n / blockElements * blockBytes` bytes.
    /// - Throws: ``QuantError`` for a bad row length, buffer size or NaN/Inf input.
    /// Default: ``validateEncode(_:importance:into:checkFinite:)`` then ``encodeFast(_:_:blocks:into:)``.
    static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                       into: UnsafeMutableRawBufferPointer) throws
}

extension BlockCodec {
    public static func encodeFast(_ x: UnsafePointer<Float>, _ importance: UnsafePointer<Float>?, blocks: Int,
                                  into y: UnsafeMutableRawPointer) {
        encodeReference(x, importance, blocks: blocks, into: y)
    }

    public static func encode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                              into: UnsafeMutableRawBufferPointer) throws {
        let nb = try validateEncode(x, importance: importance, into: into)
        guard nb > 0 else { return }
        encodeFast(x.baseAddress!, importance?.baseAddress, blocks: nb, into: into.baseAddress!)
    }

    /// Checks the arguments of ``encode(_:importance:into:)`` and returns the number of blocks.
    ///
    /// Every encoder calls this first, so a codec used on its own is as safe as one used through ``Quantizer``.
    /// With `checkFinite: false` the caller promises to detect NaN/Inf itself (fused into its own pass) and to
    /// throw ``QuantError/nonFinite(value:index:rowLength:)`` through ``nonFiniteError(_:)``.
    @inline(__always)
    public static func validateEncode(_ x: UnsafeBufferPointer<Float>, importance: UnsafeBufferPointer<Float>?,
                                      into: UnsafeMutableRawBufferPointer, checkFinite: Bool = true) throws -> Int {
        let qk = blockElements, bytes = blockBytes
        guard x.count % qk == 0 else { throw QuantError.rowLengthNotMultiple(type: type, rowLength: x.count, blockSize: qk) }
        let blocks = x.count / qk
        guard into.count == blocks * bytes else {
            throw QuantError.bufferSize(what: "\(type.displayName) output for a row of \(x.count)",
                                        expected: blocks * bytes, found: into.count)
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
}

// MARK: - Finite check

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
