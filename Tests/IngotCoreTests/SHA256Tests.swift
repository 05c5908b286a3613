import Testing
import Foundation
@testable import IngotCore
import IngotTestSupport

@Suite struct SHA256Tests {
    func hex(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { SHA256.hex(of: $0) } }

    /// FIPS 180-4 examples and the empty string.
    @Test func knownVectors() {
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(String(repeating: "a", count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Feeding in uneven pieces gives the same digest as one piece.
    @Test func streamingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var s = SHA256()
        var i = 0
        for step in [1, 63, 64, 65, 7, 200] where i < data.count {
            s.update(data[i..<min(data.count, i + step)])
            i += step
        }
        s.update(data[min(i, data.count)...])
        let streamed = s.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(streamed == data.withUnsafeBytes { SHA256.hex(of: $0) })
    }

    /// The calibration texts still match their manifest (the manifest's sha256 is what provenance records).
    @Test func calibrationManifestMatchesFiles() throws {
        let root = Fixtures.repoRoot
        let manifest = try String(contentsOf: root.appendingPathComponent("Calibration/manifest.json"), encoding: .utf8)
        for name in ["eval.txt", "calib.txt"] {
            let digest = try SHA256.hex(ofFile: root.appendingPathComponent("Calibration/\(name)").path)
            #expect(manifest.contains("\"sha256\": \"\(digest)\""), "\(name) no longer matches Calibration/manifest.json")
        }
    }
}
