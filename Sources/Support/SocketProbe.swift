#if canImport(Glibc)
import Glibc
#endif

/// Checks an idle client socket without blocking.
public enum SocketProbe {
    /// Whether `fd` has data or a hang-up waiting (a zero-timeout `poll`).
    public static func isReadable(_ fd: Int32) -> Bool {
        guard fd >= 0 else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}
