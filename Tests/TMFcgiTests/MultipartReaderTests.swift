import Testing

@testable import TMFcgi

/// A body source that hands out `step` bytes at a time, so delimiters straddle reads.
final class TrickleSource: BodySource {
    let bytes: [UInt8]
    let step: Int
    var offset = 0

    init(_ bytes: [UInt8], step: Int) {
        self.bytes = bytes
        self.step = step
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(step, buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        for k in 0..<count { buffer[k] = bytes[offset + k] }
        offset += count
        return count
    }
}

struct MultipartReaderTests {
    static let boundary = "XyZ--42"

    static func body(file: [UInt8]) -> [UInt8] {
        Array("ignored preamble\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nDaily; \"SPY\"\r\n".utf8)
            + Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b.csv\"\r\nContent-Type: Text/CSV\r\n\r\n".utf8)
            + file + Array("\r\n--\(boundary)--\r\nepilogue".utf8)
    }

    func read(_ bytes: [UInt8], step: Int) throws -> [(MultipartReader.Part, [UInt8])] {
        let body = RequestBody(source: TrickleSource(bytes, step: step), declaredLength: bytes.count, limit: .max)
        var reader = try MultipartReader(body: body, contentType: "multipart/form-data; boundary=\"\(Self.boundary)\"")
        var parts: [(MultipartReader.Part, [UInt8])] = []
        while let part = try reader.nextPart() {
            var content: [UInt8] = []
            while let chunk = try reader.readChunk() { content += chunk }
            parts.append((part, content))
        }
        return parts
    }

    @Test(arguments: [1, 2, 3, 7, 13, 64, 65_536])
    func partsSurviveAnySplit(step: Int) throws {
        // File content with near-delimiters: CRLF, "--", and the boundary without its dashes.
        var file = Array("date,close\r\n--XyZ-\r\n\(Self.boundary)\r\n-".utf8)
        file += (0..<70_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let parts = try read(Self.body(file: file), step: step)
        #expect(parts.count == 2)
        #expect(parts[0].0 == MultipartReader.Part(name: "name", filename: nil, contentType: nil))
        #expect(parts[0].1 == Array("Daily; \"SPY\"".utf8))
        #expect(parts[1].0 == MultipartReader.Part(name: "file", filename: "a;b.csv", contentType: "text/csv"))
        #expect(parts[1].1 == file)
    }

    @Test func malformedBodiesAre400() throws {
        let good = Self.body(file: Array("x".utf8))
        for bad in [
            Array(good.dropLast(15)), Array("--\(Self.boundary)\r\nContent-Type: text/plain\r\n\r\nx\r\n--\(Self.boundary)--".utf8),
            Array("no delimiter at all".utf8),
        ] {
            #expect(throws: Problem.self) { _ = try read(bad, step: 5) }
        }
        let body = RequestBody(bytes: good)
        #expect(throws: Problem.self) { _ = try MultipartReader(body: body, contentType: "multipart/form-data") }
        #expect(throws: Problem.self) { _ = try MultipartReader(body: body, contentType: "text/csv; boundary=x") }
    }
}
