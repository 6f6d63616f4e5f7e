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
    /// log(1 + r), with a polynomial for |r| < 2⁻⁷ (the usual size of a period's return; terms to
    /// r¹⁰, within 2 ulp of the C library) and the C library's `log1p` otherwise.
    @inline(__always) static func log1pFast(_ r: Double) -> Double {
        guard abs(r) < 0.0078125 else { return cLog1p(r) }
        let r2 = r * r
        let r4 = r2 * r2
        let a = 1.0 - r * 0.5
        let b = 1.0 / 3.0 - r * 0.25
        let c = 0.2 - r * (1.0 / 6.0)
        let d = 1.0 / 7.0 - r * 0.125
        let e = 1.0 / 9.0 - r * 0.1
        return r * (a + r2 * b + r4 * (c + r2 * d) + r4 * r4 * e)
    }

    /// `log1pFast` of every value of `x` into `out` (same count; it may be the same memory, each
    /// pair of values is read before it is written): the polynomial two values at a time (the
    /// same operations, so the same results), the C library for the rare large return.
    static func log1pFast(_ x: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) {
        let n = x.count
        let limit = SIMD2<Double>(repeating: 0.0078125)
        let small = SIMD2<Double>(repeating: 0.001953125)
        var i = 0
        while i + 2 <= n {
            let r = SIMD2(x[i], x[i + 1])
            let r2 = r * r
            let r4 = r2 * r2
            // Below 2⁻⁹ in magnitude (minute returns, mostly) terms to r⁶ suffice: the next one is
            // under 2⁻⁵⁴·r/7, well below half an ulp.
            if all(r .< small .& r .> -small) {
                let a = 1.0 - r * 0.5
                let b = 1.0 / 3.0 - r * 0.25
                let c = 0.2 - r * (1.0 / 6.0)
                let p = r * (a + r2 * b + r4 * c)
                out[i] = p[0]
                out[i + 1] = p[1]
                i += 2
                continue
            }
            let a = 1.0 - r * 0.5
            let b = 1.0 / 3.0 - r * 0.25
            let c = 0.2 - r * (1.0 / 6.0)
            let d = 1.0 / 7.0 - r * 0.125
            let e = 1.0 / 9.0 - r * 0.1
            let p = r * (a + r2 * b + r4 * (c + r2 * d) + r4 * r4 * e)
            out[i] = p[0]
            out[i + 1] = p[1]
            // Not below the limit in magnitude (or NaN): redo with the scalar function.
            if any(.!(r .< limit .& r .> -limit)) {
                out[i] = log1pFast(r[0])
                out[i + 1] = log1pFast(r[1])
            }
            i += 2
        }
        if i < n { out[i] = log1pFast(x[i]) }
    }

    /// x raised to y.
    @inline(__always) static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }
}

@inline(__always) private func cLog(_ x: Double) -> Double { log(x) }
@inline(__always) private func cLog1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
