#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few C math functions the module needs (from the C library, not Foundation).
enum Math {
    /// Natural logarithm.
    @inline(__always) static func log(_ x: Double) -> Double { cLog(x) }
    /// log(1 + x).
    @inline(__always) static func log1p(_ x: Double) -> Double { cLog1p(x) }
    /// x raised to y.
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }
}

@inline(__always) private func cLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func cLog1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
