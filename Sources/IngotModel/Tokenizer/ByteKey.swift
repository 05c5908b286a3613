/// A dictionary key that compares strings by their UTF-8 bytes.
///
/// Swift's `String ==` and hashing treat canonically equivalent strings ("é" and "e" + U+0301) as equal;
/// vocabularies are byte-exact maps (Rust `HashMap<String, u32>`, llama.cpp's `std::unordered_map`), so two
/// such tokens must stay distinct.
struct ByteKey: Hashable {
    let string: String

    init(_ s: String) { string = s }

    static func == (a: ByteKey, b: ByteKey) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
