/// An HTTP response from ``HTTPClient``.
public struct HTTPClientResponse: Sendable {
    /// The status code.
    public let status: Int
    /// Header fields, names lower-cased; repeated fields joined with `", "`.
    public let headers: [String: String]
    /// The body (decoded from chunked transfer coding, never decompressed).
    public let body: [UInt8]
}
