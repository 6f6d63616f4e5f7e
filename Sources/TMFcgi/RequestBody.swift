/// Where a request body's bytes come from: the FastCGI stdin stream, or memory in tests.
public protocol BodySource: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 at the end of the body.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A request body, read as a stream with a size limit.
///
/// Nothing is read until a handler asks, so a handler can stream a 50 MB upload through a
/// fixed buffer; ``collect()`` is the convenience for small JSON bodies. Reading past
/// ``limit`` throws a 413 problem.
public final class RequestBody {
    private let source: BodySource?
    /// The `Content-Length` the client declared, if any.
    public let declaredLength: Int?
    /// The most bytes a handler may read; set from the route.
    public var limit: Int
    /// Bytes handed out so far.
    public private(set) var bytesRead = 0
    /// Whether the end of the body has been reached.
    public private(set) var isFinished = false

    /// A body read from `source`.
    public init(source: BodySource?, declaredLength: Int?, limit: Int) {
        self.source = source
        self.declaredLength = declaredLength
        self.limit = limit
        if source == nil || declaredLength == 0 { isFinished = true }
    }

    /// A body held in memory (tests, internal calls).
    public convenience init(bytes: [UInt8], limit: Int = .max) {
        self.init(source: MemoryBodySource(bytes), declaredLength: bytes.count, limit: limit)
    }

    /// The 413 problem for this body's limit.
    public var tooLarge: Problem {
        Problem(.contentTooLarge, detail: "The request body exceeds the limit of \(limit) bytes for this route.")
    }

    /// The next chunk of at most `maxBytes`, or nil at the end.
    public func next(maxBytes: Int = 64 * 1024) throws -> [UInt8]? {
        if let declaredLength, declaredLength > limit { throw tooLarge }
        guard !isFinished, let source else { return nil }
        var chunk = [UInt8](repeating: 0, count: maxBytes)
        let count = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
        if count == 0 {
            isFinished = true
            return nil
        }
        bytesRead += count
        if bytesRead > limit { throw tooLarge }
        chunk.removeLast(maxBytes - count)
        return chunk
    }

    /// Calls `body` with each chunk until the end.
    public func forEachChunk(maxBytes: Int = 64 * 1024, _ body: ([UInt8]) throws -> Void) throws {
        while let chunk = try next(maxBytes: maxBytes) { try body(chunk) }
    }

    /// The whole body (within ``limit``).
    public func collect() throws -> [UInt8] {
        var all: [UInt8] = []
        if let declaredLength, declaredLength <= limit { all.reserveCapacity(declaredLength) }
        try forEachChunk { all.append(contentsOf: $0) }
        return all
    }

    /// Reads and discards what is left, at most `maxBytes`; true when the body was fully consumed.
    func drain(maxBytes: Int) -> Bool {
        guard !isFinished, let source else { return true }
        // Runs after every request (a GET reads just the end of its empty body): a scratch
        // buffer on the stack, neither zeroed nor allocated (a 16 KiB malloc per request
        // made glibc consolidate its free lists each time).
        return withUnsafeTemporaryAllocation(byteCount: 16 * 1024, alignment: 16) { buffer in
            var drained = 0
            while drained <= maxBytes {
                guard let count = try? source.read(into: buffer) else { return false }
                if count == 0 {
                    isFinished = true
                    return true
                }
                drained += count
            }
            return false
        }
    }
}

/// A body source over bytes in memory.
final class MemoryBodySource: BodySource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
        }
        offset += count
        return count
    }
}
