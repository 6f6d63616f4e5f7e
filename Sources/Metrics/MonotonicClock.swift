#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock, for durations.
public enum MonotonicClock {
    /// Now, in seconds from an arbitrary origin.
    @inline(__always)
    public static func seconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
