import Foundation
import FuzzTargets
import Testing

/// Every committed fuzz input, replayed through its target without the sanitizer: the seed
/// corpus (`fuzz/corpus/<target>`) and every crash `scripts/fuzz` ever found
/// (`fuzz/regressions/<target>`), so a fixed crash stays fixed. A crash here stops the test
/// process, as it would stop a pool worker.
struct FuzzReplayTests {
    /// The repository's `fuzz` folder.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz")

    /// The files in `fuzz/<kind>/<target>`, sorted.
    static func inputs(_ kind: String, _ target: String) throws -> [URL] {
        let folder = root.appendingPathComponent(kind).appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func everySeedAndRegressionRuns(_ name: String) throws {
        let target = try #require(FuzzTarget.named(name))
        let seeds = try Self.inputs("corpus", name)
        #expect(!seeds.isEmpty, "fuzz/corpus/\(name) has no seed")
        for file in seeds + (try Self.inputs("regressions", name)) {
            let bytes = [UInt8](try Data(contentsOf: file))
            #expect(bytes.count <= target.maximumLength, "\(file.lastPathComponent) is longer than -max_len")
            target.run(bytes)
        }
    }

    /// Every folder under `fuzz/` names a target (a renamed target keeps its regressions).
    @Test func everyFolderNamesATarget() throws {
        for kind in ["corpus", "regressions"] {
            let folder = Self.root.appendingPathComponent(kind)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for name in names where !name.hasPrefix(".") { #expect(FuzzTarget.named(name) != nil, "fuzz/\(kind)/\(name)") }
        }
    }
}
