import CLibPQ
import Foundation

/// What libpq itself makes of a `DATABASE_URL`, checked before any connection is tried.
public enum ConnectionString {
    /// Why libpq refuses `text` (a URI or `key=value` string), or nil when it parses. libpq's
    /// own parser, so every form it accepts is accepted here: several hosts
    /// (`postgresql://a:5432,b:5432/db?target_session_attrs=read-write`), sockets, options.
    /// The message is libpq's, which never repeats the password.
    public static func problem(_ text: String) -> String? {
        var error: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(text, &error) else {
            defer { if let error { PQfreemem(error) } }
            let message = error.map { String(cString: $0).trimmingCharacters(in: .newlines) } ?? "out of memory"
            return message.isEmpty ? "libpq cannot parse it" : message
        }
        PQconninfoFree(options)
        return nil
    }
}
