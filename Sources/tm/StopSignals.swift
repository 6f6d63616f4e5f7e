#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM and SIGINT as `tm worker` and `tm relay` take them: blocked in every thread and
/// waited for on the main thread, which then stops the process's work in order.
struct StopSignals {
    private var set = sigset_t()

    /// Blocks the stop signals. Call it before any thread exists, so every thread inherits the
    /// mask and only ``wait()`` sees them.
    init() {
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for one of them and returns which.
    func wait() -> Int32 {
        var set = set
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }
}
