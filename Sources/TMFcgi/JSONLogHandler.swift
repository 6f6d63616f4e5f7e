import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one JSON object per line to stderr with a single
/// `write(2)`, so lines from threads and processes never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    /// A handler for `label` at `level`.
    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "{\"ts\":\"" + Clock.timestamp() + "\",\"level\":\"" + event.level.rawValue + "\",\"logger\":"
        line += JSONText.quoted(label) + ",\"msg\":" + JSONText.quoted(event.message.description)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() {
            line += "," + JSONText.quoted(key) + ":" + JSONLogHandler.render(merged[key]!)
        }
        line += "}\n"
        JSONLogHandler.writeLine(&line)
    }

    /// Writes a finished line to stderr in one call (retrying short writes).
    static func writeLine(_ line: inout String) {
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): return JSONText.quoted(text)
        case .stringConvertible(let convertible):
            let text = convertible.description
            if convertible is Int || convertible is Int32 || convertible is Int64 || convertible is UInt64 { return text }
            return JSONText.quoted(text)
        case .array(let values): return "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let values):
            return "{" + values.keys.sorted().map { JSONText.quoted($0) + ":" + render(values[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// Installs this handler as swift-log's backend at `level` (call once, at startup).
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    }
}
