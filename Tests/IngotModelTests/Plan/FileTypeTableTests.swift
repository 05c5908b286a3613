import Testing
import IngotCore
@testable import IngotModel

/// `FileType` is one literal table of rows; everything it answers derives from that table.
@Suite struct FileTypeTableTests {
    @Test func everyFileTypeHasExactlyOneRow() {
        let rows = FileType.table.map(\.fileType)
        #expect(Set(rows).count == rows.count, "a file type has two rows")
        #expect(FileType.allCases == rows, "allCases is the table's order")
        #expect(Set(FileType.table.map(\.name)).count == rows.count, "two rows share a name")
        #expect(Set(FileType.table.map(\.id)).count == rows.count, "two rows share an id")
        #expect(FileType.table.allSatisfy { $0.name == $0.name.uppercased() })
    }

    @Test func lookupsRoundTripThroughTheTable() {
        for row in FileType.table {
            let f = row.fileType
            #expect(f.row.name == row.name && f.name == row.name && f.id == row.id && f.defaultType == row.defaultType)
            #expect(FileType(name: row.name) == f && FileType(name: row.name.lowercased()) == f)
            #expect(FileType(id: row.id) == f)
        }
        #expect(FileType(name: "Q4_K") == nil && FileType(name: "") == nil && FileType(id: 4) == nil)
    }

    /// A few rows against llama.h's `enum llama_ftype` and llama-quantize's aliases, written out independently.
    @Test func rowsAreLlamaCpps() {
        #expect(FileType.f16.id == 1 && FileType.q8_0.id == 7 && FileType.q4_K_M.id == 15 && FileType.q6_K.id == 18)
        #expect(FileType.iq4_xs.id == 30 && FileType.bf16.id == 32 && FileType.tq2_0.id == 37 && FileType.q2_0.id == 41)
        #expect(FileType.q2_K_S.defaultType == .q2_K && FileType.iq2_m.defaultType == .iq2_s && FileType.iq3_m.defaultType == .iq3_s)
        #expect(FileType.forSingleType(.q4_K) == .q4_K_M && FileType.forSingleType(.q3_K) == .q3_K_M)
        #expect(FileType.forSingleType(.q5_K) == .q5_K_M && FileType.forSingleType(.mxfp4) == .mxfp4_moe)
        // IQ3_XS comes first with default iq3_s; the alias keeps IQ3_S for `--type IQ3_S`.
        #expect(FileType.forSingleType(.iq3_s) == .iq3_s && FileType.forSingleType(.iq2_s) == .iq2_m)
        #expect(FileType.forSingleType(.q6_K) == .q6_K && FileType.forSingleType(.q8_0) == .q8_0 && FileType.forSingleType(.iq2_xs) == .iq2_xs)
        #expect(FileType.forSingleType(.nvfp4) == nil && FileType.forSingleType(.q8_K) == nil)
    }
}
