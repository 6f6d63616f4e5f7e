import Foundation
import Testing

@testable import Quant

/// Reads the reference fixtures made by scripts/quant-reference/generate.py.
enum Fixtures {
    /// The fixtures folder: the test bundle's copy, or the source folder as a fallback.
    static var directory: URL {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// The bytes of a fixture file.
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// A CSV fixture parsed by the reader under test.
    static func series(_ name: String) throws -> OHLCVSeries {
        try OHLCVCSVReader.parse(bytes(name))
    }

    /// A JSON fixture as a dictionary.
    static func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(bytes(name + ".json")))
        return try #require(object as? [String: Any])
    }
}

/// Reads numbers out of decoded JSON (`null` → NaN).
func number(_ any: Any?) -> Double {
    if let n = any as? NSNumber { return n.doubleValue }
    return .nan
}

/// An array of numbers out of decoded JSON (`null` → NaN).
func numbers(_ any: Any?) -> [Double] {
    (any as? [Any] ?? []).map(number)
}

/// Whether `actual` is within `relative` of `expected` (or both NaN, or both tiny).
func close(_ actual: Double, _ expected: Double, relative: Double = 1e-9, absolute: Double = 1e-14) -> Bool {
    if expected.isNaN { return actual.isNaN }
    if expected.isInfinite { return actual == expected }
    return abs(actual - expected) <= max(relative * abs(expected), absolute)
}

/// Expects two arrays to match elementwise; reports the first mismatch.
func expectClose(
    _ actual: [Double], _ expected: [Double], relative: Double = 1e-9, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): count", sourceLocation: sourceLocation)
    for i in 0..<min(actual.count, expected.count) where !close(actual[i], expected[i], relative: relative) {
        Issue.record("\(what)[\(i)]: \(actual[i]) vs \(expected[i])", sourceLocation: sourceLocation)
        return
    }
}
