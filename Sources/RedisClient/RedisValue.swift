/// A Redis reply.
public enum RedisValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case string([UInt8])
    case status(String)
    case array([RedisValue])

    /// The reply as text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The reply as an integer.
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .string(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }
}

/// Failures of the Redis client.
public enum RedisError: Error, CustomStringConvertible, Sendable {
    /// Redis cannot be reached (503).
    case unavailable(String)
    /// Redis answered with an error reply.
    case reply(String)

    public var description: String {
        switch self {
        case .unavailable(let message): return "redis unavailable: \(message)"
        case .reply(let message): return "redis error: \(message)"
        }
    }
}
