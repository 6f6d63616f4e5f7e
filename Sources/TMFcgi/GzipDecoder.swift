import CZlib

/// Streaming gunzip (zlib's inflate with gzip framing): feed compressed chunks, get the
/// decompressed bytes in pieces of at most 256 KiB. Corrupt data is a 400 problem; output
/// past `maximumOutputBytes` is a 413 (a small body may expand a thousandfold); concatenated
/// gzip members are decoded one after another.
public final class GzipDecoder {
    private var stream = z_stream()
    private var output = [UInt8](repeating: 0, count: 256 * 1024)
    private var ended = false
    private let maximumOutputBytes: Int
    private var produced = 0

    public init(maximumOutputBytes: Int) throws {
        self.maximumOutputBytes = maximumOutputBytes
        // 16 + MAX_WBITS: gzip framing only.
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Problem.unexpected
        }
    }

    deinit { inflateEnd(&stream) }

    private static let corrupt = Problem(
        .badRequest, type: "/problems/malformed-gzip", title: "Malformed gzip body",
        detail: "The body is not valid gzip data.")

    /// Decompresses `input`, calling `sink` with each piece of output.
    public func feed(_ input: [UInt8], _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        var input = input
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = UInt32(source.count)
            while stream.avail_in > 0 {
                if ended {
                    // Another member follows.
                    guard inflateReset(&stream) == Z_OK else { throw Self.corrupt }
                    ended = false
                }
                let status = try output.withUnsafeMutableBufferPointer { out -> Int32 in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(out.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    let piece = out.count - Int(stream.avail_out)
                    produced += piece
                    if produced > maximumOutputBytes {
                        throw Problem(.contentTooLarge, detail: "The gzipped data expands to more than \(maximumOutputBytes) bytes.")
                    }
                    if piece > 0 { try sink(UnsafeBufferPointer(rebasing: out[0..<piece])) }
                    return status
                }
                switch status {
                case Z_OK: continue
                case Z_STREAM_END: ended = true
                case Z_BUF_ERROR: if stream.avail_in == 0 { return }
                default: throw Self.corrupt
                }
            }
        }
        stream.next_in = nil
    }

    /// Checks that the last member was complete.
    public func finish() throws {
        guard ended else {
            throw Problem(.badRequest, type: "/problems/malformed-gzip", title: "Malformed gzip body", detail: "The gzip data ends early.")
        }
    }
}
