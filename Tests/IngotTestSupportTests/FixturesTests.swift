import Foundation
import IngotCore
import IngotTestSupport
import Testing

/// Tests/Fixtures stays what its README promises: found from the source tree, every link resolving inside the
/// folder, no file stored twice, and every top-level entry described in README.md.
@Suite struct FixturesTests {
    static let fm = FileManager.default

    /// Every entry below Tests/Fixtures: relative path, and whether it is a symbolic link.
    static func entries() throws -> [(path: String, isLink: Bool)] {
        var out: [(String, Bool)] = []
        let root = Fixtures.root.path
        guard let e = fm.enumerator(atPath: root) else { return [] }
        while let rel = e.nextObject() as? String {
            let isLink = (try? fm.destinationOfSymbolicLink(atPath: root + "/" + rel)) != nil
            out.append((rel, isLink))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    @Test func rootIsTheRepositoryFixtures() {
        #expect(Fixtures.root.lastPathComponent == "Fixtures")
        #expect(Self.fm.fileExists(atPath: Fixtures.path("README.md")))
        #expect(Self.fm.fileExists(atPath: Fixtures.repoRoot.appendingPathComponent("Package.swift").path))
        #expect(Self.fm.fileExists(atPath: Fixtures.model("tiny-llama").appendingPathComponent("config.json").path))
    }

    /// Links are relative, resolve, and stay inside Tests/Fixtures (a clone has nothing outside the repository).
    @Test func linksResolveInsideFixtures() throws {
        let root = Fixtures.root.resolvingSymlinksInPath().path
        let links = try Self.entries().filter(\.isLink)
        #expect(!links.isEmpty)
        for l in links {
            let at = Fixtures.path(l.path)
            let dest = try Self.fm.destinationOfSymbolicLink(atPath: at)
            #expect(!dest.hasPrefix("/"), "\(l.path) -> \(dest) is absolute")
            let resolved = URL(fileURLWithPath: at).resolvingSymlinksInPath().path
            #expect(resolved.hasPrefix(root + "/"), "\(l.path) -> \(resolved) leaves Tests/Fixtures")
            #expect(Self.fm.isReadableFile(atPath: resolved), "\(l.path) -> \(dest) does not resolve")
        }
    }

    /// No two stored files are byte-identical: a repeated file is stored once and linked (see README.md).
    @Test func noFileIsStoredTwice() throws {
        var bySize: [Int: [String]] = [:]
        for e in try Self.entries() where !e.isLink {
            let path = Fixtures.path(e.path)
            var isDir: ObjCBool = false
            guard Self.fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue else { continue }
            let size = (try Self.fm.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            bySize[size, default: []].append(e.path)
        }
        for (_, paths) in bySize where paths.count > 1 {
            var seen: [String: String] = [:]
            for p in paths {
                let digest = try SHA256.hex(ofFile: Fixtures.path(p))
                #expect(seen[digest] == nil, "\(p) is a copy of \(seen[digest] ?? "")")
                seen[digest] = p
            }
        }
    }

    /// README.md names every top-level entry and every folder one level below (models/tiny-llama/, vocab/tokenizer-fixtures/, …).
    @Test func readmeNamesEveryFixture() throws {
        let readme = try String(contentsOf: Fixtures.url("README.md"), encoding: .utf8)
        for e in try Self.entries() where !e.path.contains("/") && e.path != "README.md" {
            #expect(readme.contains("`\(e.path)/") || readme.contains("`\(e.path)`"), "README.md does not mention \(e.path)")
        }
        for e in try Self.entries() where !e.isLink && e.path.split(separator: "/").count == 2 {
            var isDir: ObjCBool = false
            guard Self.fm.fileExists(atPath: Fixtures.path(e.path), isDirectory: &isDir), isDir.boolValue else { continue }
            #expect(readme.contains("`\(e.path)/"), "README.md does not mention \(e.path)/")
        }
    }
}
