import Foundation
import Testing

@testable import TMFcgi

/// Streaming gunzip: what goes in comes out, a body that expands past the cap is a 413
/// (the cap counts the output, so a small bomb cannot fill the disk or the COPY), and
/// corrupt or cut data is a 400.
struct GzipDecoderTests {
    /// `data` compressed by the system's gzip.
    static func gzip(_ data: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c", "-9"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let writer = Thread {
            input.fileHandleForWriting.write(Data(data))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](compressed)
    }

    static func inflate(_ compressed: [UInt8], cap: Int, chunk: Int = 4096) throws -> [UInt8] {
        let decoder = try GzipDecoder(maximumOutputBytes: cap)
        var out: [UInt8] = []
        var offset = 0
        while offset < compressed.count {
            let end = min(offset + chunk, compressed.count)
            try decoder.feed(Array(compressed[offset..<end])) { out.append(contentsOf: $0) }
            offset = end
        }
        try decoder.finish()
        return out
    }

    @Test func roundTripsAndConcatenatedMembers() throws {
        let text = Array((0..<50_000).map { "line \($0)\n" }.joined().utf8)
        #expect(try Self.inflate(Self.gzip(text), cap: 1 << 30) == text)
        let two = try Self.gzip(Array("a,b\n".utf8)) + Self.gzip(Array("c,d\n".utf8))
        #expect(try Self.inflate(two, cap: 100) == Array("a,b\nc,d\n".utf8))
    }

    @Test func outputPastTheCapIs413() throws {
        let zeros = [UInt8](repeating: 0, count: 3 << 20)
        let bomb = try Self.gzip(zeros)
        #expect(bomb.count < 10_000)
        #expect(try Self.inflate(bomb, cap: 3 << 20).count == zeros.count)
        do {
            _ = try Self.inflate(bomb, cap: 1 << 20)
            Issue.record("a 3 MiB expansion passed a 1 MiB cap")
        } catch let problem as Problem {
            #expect(problem.status == .contentTooLarge)
        }
    }

    @Test func corruptOrCutDataIs400() throws {
        let good = try Self.gzip(Array("date,close\n2024-01-02,1\n".utf8))
        for bad in [Array(good.prefix(good.count / 2)), [0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]] {
            do {
                _ = try Self.inflate(bad, cap: 1 << 20)
                Issue.record("accepted \(bad.count) bad bytes")
            } catch let problem as Problem {
                #expect(problem.status == .badRequest)
            }
        }
    }
}
