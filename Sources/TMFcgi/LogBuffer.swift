#if canImport(Glibc)
import Glibc
#endif

/// A serving thread's request log lines, written in batches: the thread flushes when it is
/// about to wait for work, and a batch never grows past 4 KiB (`PIPE_BUF`, so a batch
/// written to a pipe never interleaves with another process's lines). Under load this is
/// one `write(2)` per dozen requests instead of one per request; when idle, a line is out
/// microseconds after its response. A worker killed with SIGKILL loses at most one batch
/// per thread of lines for requests already answered.
final class LogBuffer {
    /// The largest batch written at once.
    static let batchLimit = 4096
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(LogBuffer.batchLimit) }

    /// Adds a finished line (a longer one than a batch is written on its own).
    func append(_ line: LogLine) {
        if bytes.count + line.bytes.count > LogBuffer.batchLimit { flush() }
        if line.bytes.count > LogBuffer.batchLimit {
            line.write()
        } else {
            bytes.append(contentsOf: line.bytes)
        }
    }

    /// Writes what is buffered to stderr.
    func flush() {
        guard !bytes.isEmpty else { return }
        LogLine.write(bytes)
        bytes.removeAll(keepingCapacity: true)
    }
}
