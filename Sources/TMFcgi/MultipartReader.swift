#if canImport(Glibc)
import Glibc
#endif

/// A streaming reader of a `multipart/form-data` body (RFC 7578, delimiters per RFC 2046):
/// parts come one at a time, and a part's content is handed out in chunks as the body
/// arrives, so a file of any size passes through a small buffer.
///
/// ```swift
/// var reader = try MultipartReader(body: request.body, contentType: header)
/// while let part = try reader.nextPart() {
///     while let chunk = try reader.readChunk() { … }
/// }
/// ```
/// A malformed body (no closing delimiter, a part without `Content-Disposition`, an
/// oversized header block) is a 400 problem.
public struct MultipartReader {
    /// The headers of one part that matter for a form.
    public struct Part: Sendable, Equatable {
        /// The form field's name.
        public var name: String
        /// The file name, for a file field.
        public var filename: String?
        /// The part's media type, lower-cased, when given.
        public var contentType: String?
    }

    private let body: RequestBody
    /// `\r\n--boundary`.
    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var position = 0
    private var inPart = false
    private var finished = false
    private var started = false
    private static let maximumHeaderBytes = 16 * 1024

    /// A reader of `body`, whose `Content-Type` header value is `contentType`; 415 unless it is
    /// `multipart/form-data` with a boundary.
    public init(body: RequestBody, contentType: String) throws {
        let parts = contentType.split(separator: ";").map { String($0).trimmingSpaces }
        guard parts.first?.lowercased() == "multipart/form-data" else {
            throw Problem(.unsupportedMediaType, detail: "Send the body as multipart/form-data.")
        }
        var boundary: String?
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingSpaces
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            boundary = value
        }
        guard let boundary, (1...70).contains(boundary.utf8.count) else {
            throw Problem(.badRequest, detail: "The multipart/form-data Content-Type has no valid boundary parameter.")
        }
        self.body = body
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first delimiter may start the body without the preceding CRLF.
        buffer = [13, 10]
    }

    private static func malformed(_ detail: String) -> Problem {
        Problem(.badRequest, type: "/problems/malformed-multipart", title: "Malformed multipart body", detail: detail)
    }

    /// Reads more of the body into the buffer; false at its end.
    private mutating func fill() throws -> Bool {
        if position > 0 && position >= buffer.count / 2 {
            buffer.removeFirst(position)
            position = 0
        }
        guard let chunk = try body.next(maxBytes: 64 * 1024) else { return false }
        buffer.append(contentsOf: chunk)
        return true
    }

    /// Where `pattern` next occurs at or after `from` in the buffer.
    private func find(_ pattern: [UInt8], from: Int) -> Int? {
        guard buffer.count - from >= pattern.count else { return nil }
        return buffer.withUnsafeBufferPointer { bytes -> Int? in
            guard let base = bytes.baseAddress else { return nil }
            var i = from
            let last = bytes.count - pattern.count
            while i <= last {
                // memchr for the first byte, then compare the rest.
                guard let hit = memchr(base + i, Int32(pattern[0]), last - i + 1) else { return nil }
                i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + i, pattern, pattern.count) == 0 { return i }
                i += 1
            }
            return nil
        }
    }

    /// The next part's headers, or nil after the last part.
    public mutating func nextPart() throws -> Part? {
        guard !finished else { return nil }
        // Skip the preamble, or the rest of the current part, up to the next delimiter.
        if !started {
            started = true
            inPart = true
        }
        while inPart {
            if try readChunk() == nil { break }
        }
        // After the delimiter: "--" ends the body, CRLF starts a part's headers.
        while buffer.count - position < 2 {
            guard try fill() else { throw Self.malformed("The body ends inside a multipart delimiter.") }
        }
        if buffer[position] == 45 && buffer[position + 1] == 45 {
            finished = true
            return nil
        }
        var headerEnd: Int?
        while true {
            if let end = find([13, 10, 13, 10], from: position) {
                headerEnd = end
                break
            }
            if buffer.count - position > Self.maximumHeaderBytes { throw Self.malformed("A part's header block is too long.") }
            guard try fill() else { throw Self.malformed("The body ends inside a part's headers.") }
        }
        guard let headerEnd else { throw Self.malformed("A part has no header block.") }
        // Transport padding after the delimiter, then CRLF.
        var start = position
        while start < headerEnd, buffer[start] == 32 || buffer[start] == 9 { start += 1 }
        guard headerEnd - start >= 2, buffer[start] == 13, buffer[start + 1] == 10 else {
            throw Self.malformed("A multipart delimiter is not followed by a line break.")
        }
        let text = String(decoding: buffer[(start + 2)..<headerEnd], as: UTF8.self)
        position = headerEnd + 4
        inPart = true
        return try Self.part(fromHeaders: text)
    }

    static func part(fromHeaders text: String) throws -> Part {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            let pair = line.split(separator: ":", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { throw malformed("A part header line has no colon.") }
            switch pair[0].trimmingSpaces.lowercased() {
            case "content-disposition":
                let items = Self.parameters(pair[1])
                guard items.first?.0.lowercased() == "form-data" else { throw malformed("A part's Content-Disposition is not form-data.") }
                for (key, value) in items.dropFirst() {
                    switch key.lowercased() {
                    case "name": name = value
                    case "filename": filename = value
                    default: break
                    }
                }
            case "content-type":
                contentType = pair[1].split(separator: ";").first.map { String($0).trimmingSpaces.lowercased() }
            default: break
            }
        }
        guard let name else { throw malformed("A part has no Content-Disposition name.") }
        return Part(name: name, filename: filename, contentType: contentType)
    }

    /// `form-data; name="file"; filename="a;b.csv"` as (key, value) pairs, quotes honoured.
    static func parameters(_ value: String) -> [(String, String)] {
        var items: [(String, String)] = []
        var key = ""
        var current = ""
        var inQuotes = false
        var sawEquals = false
        var escaped = false
        func flush() {
            let k = (sawEquals ? key : current).trimmingSpaces
            let v = sawEquals ? current : ""
            if !k.isEmpty { items.append((k, sawEquals && !v.hasPrefix("\"") ? v.trimmingSpaces : v)) }
            key = ""
            current = ""
            sawEquals = false
        }
        for character in value {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if inQuotes {
                if character == "\\" { escaped = true } else if character == "\"" { inQuotes = false } else { current.append(character) }
                continue
            }
            switch character {
            case "\"": inQuotes = true
            case ";": flush()
            case "=" where !sawEquals:
                key = current
                current = ""
                sawEquals = true
            default: current.append(character)
            }
        }
        flush()
        return items
    }

    /// The next piece of the current part's content, or nil at its end.
    public mutating func readChunk() throws -> [UInt8]? {
        guard inPart else { return nil }
        while true {
            if let hit = find(delimiter, from: position) {
                let chunk = Array(buffer[position..<hit])
                position = hit + delimiter.count
                inPart = false
                return chunk.isEmpty ? nil : chunk
            }
            // Hand out what cannot be the start of a delimiter.
            let safe = buffer.count - (delimiter.count - 1)
            if safe - position >= 32 * 1024 {
                let chunk = Array(buffer[position..<safe])
                position = safe
                return chunk
            }
            guard try fill() else { throw Self.malformed("The body ends before the closing multipart delimiter.") }
        }
    }
}
