import Support

#if canImport(Glibc)
import Glibc
#endif

/// Monotonic and wall-clock time without Foundation.
public enum Clock {
    /// Nanoseconds on the monotonic clock.
    @Sendable public static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Milliseconds with three decimals, e.g. `"0.412"`.
    public static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = nanoseconds / 1_000
        let fraction = String(micros % 1_000)
        return "\(micros / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// The current UTC time as RFC 3339 with milliseconds, e.g. `2026-11-25T01:22:28.123Z`.
    /// Computed with integer arithmetic (no `gmtime`, no formatting): it is on every log line.
    public static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return timestamp(seconds: Int(spec.tv_sec), milliseconds: Int(spec.tv_nsec / 1_000_000))
    }

    /// The UTC calendar date and time of a Unix time.
    static func civil(seconds: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = CivilCalendar.date(fromDays: days)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    /// RFC 3339 text for a Unix time.
    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        let (year, month, day, hour, minute, second) = civil(seconds: seconds)
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(48 + value % 10)
                    value /= 10
                }
            }
            // `YYYY-MM-DDTHH:MM:SS.mmmZ`: each field, zero-padded, then the byte after it.
            let fields: [(value: Int, width: Int, after: Character)] = [
                (year, 4, "-"), (month, 2, "-"), (day, 2, "T"), (hour, 2, ":"), (minute, 2, ":"), (second, 2, "."), (milliseconds, 3, "Z"),
            ]
            var offset = 0
            for field in fields {
                put(field.value, field.width, at: offset)
                buffer[offset + field.width] = field.after.asciiValue!
                offset += field.width + 1
            }
            return offset
        }
    }
}
