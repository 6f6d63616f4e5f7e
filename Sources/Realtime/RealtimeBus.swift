import Foundation
import Logging

/// The Redis pub/sub channel between the processes that publish real-time events (the pool,
/// `tm worker` on any host) and the `tm relay` of each nginx host, which hands them to its
/// nchan. A message is `{channel}\n{envelope JSON}`.
///
/// Why a relay and not nchan's own Redis store: after a Redis outage nchan 1.3.6 (Debian 12)
/// went on writing Redis commands, with other users' events in them, into a descriptor it
/// had closed and the kernel had given to a client connection, and reloaded workers crashed
/// in a loop. With the relay nginx never talks to Redis: its channels and message buffers
/// are in nchan's memory store, fed identically on every host from the bus.
public enum RealtimeBus {
    /// The pub/sub channel.
    public static let channel = "tm:realtime:events"

    /// What a message starts with: the real-time channel and a newline.
    public static func messagePrefix(channel: String) -> String { channel + "\n" }

    /// The real-time channel and the envelope of a bus message; nil when it is not one.
    public static func decode(_ message: [UInt8]) -> (channel: String, envelope: [UInt8])? {
        guard let newline = message.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let channel = String(decoding: message[..<newline], as: UTF8.self)
        guard RealtimeChannel(channel) != nil else { return nil }
        return (channel, Array(message[(newline + 1)...]))
    }
}

/// Log lines about lost events, at most one a second, each with the number lost since the
/// previous line: a Redis or nginx outage must not flood the log.
final class DropLog: @unchecked Sendable {
    private let logger: Logger
    private let lock = NSLock()
    private var droppedSinceLog = 0
    private var lastLog = 0.0

    init(logger: Logger) { self.logger = logger }

    func record(reason: String, channel: String?, detail: String) {
        lock.lock()
        droppedSinceLog += 1
        let now = Date().timeIntervalSince1970
        let due = now - lastLog >= 1
        let count = droppedSinceLog
        if due {
            lastLog = now
            droppedSinceLog = 0
        }
        lock.unlock()
        guard due else { return }
        logger.warning(
            "real-time event dropped",
            metadata: [
                "reason": "\(reason)", "channel": "\(channel ?? "-")", "detail": "\(detail.prefix(200))", "dropped": "\(count)",
            ])
    }
}
