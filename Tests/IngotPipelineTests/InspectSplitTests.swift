import Foundation
import IngotCore
import IngotFormats
@testable import IngotPipeline
import Testing
import IngotTestSupport

/// `inspect` on a gguf-split set: the first file shows the set (files and absolute offsets per shard); a later
/// file shows its own header alone, where the commands that read the model refuse it.
@Suite struct InspectSplitTests {
    @Test func laterShardShowsItsOwnHeader() throws {
        let dir = ConvertFixtures.temporaryDirectory()
        defer { ConvertFixtures.cleanup(dir) }
        var md = Metadata()
        md.append("general.architecture", .string("llama"))
        let tensors = (0..<5).map { TensorInfo(name: "t\($0)", type: .f32, shape: [8], byteCount: 32) }
        let w = try GGUFSplitWriter(path: dir + "/m.gguf", metadata: md, maxTensors: 2)
        for t in tensors { try w.declare(t) }
        for t in tensors { try [UInt8](repeating: 0, count: 32).withUnsafeBytes { try w.write(t.name, bytes: $0) } }
        try w.finish()

        let set = try Inspector.inspect(path: w.outputPaths[0])
        let shard3 = try GGUFReader(path: w.outputPaths[2])
        #expect(set.tensors[4].offset == shard3.dataOffset && set.tensors[4].file == w.outputPaths[2])
        #expect(set.tensors[1].offset == (try GGUFReader(path: w.outputPaths[0])).dataOffset + 32)

        let second = try Inspector.inspect(path: w.outputPaths[1])
        #expect(second.files == [w.outputPaths[1]])
        #expect(second.tensors.map(\.name) == ["t2", "t3"])
        #expect(second.metadata["split.no"] == .uint16(1))
        #expect { _ = try ModelLoader.open(w.outputPaths[1]) } throws: { String(describing: $0).contains("pass the first file") }
    }
}
