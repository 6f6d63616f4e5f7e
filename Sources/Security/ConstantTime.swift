internal import COpenSSL

/// Compares two byte sequences in time that depends only on their lengths, never on
/// where they differ (`CRYPTO_memcmp`). Use it for MACs, signatures and token digests.
///
/// Lengths are not secret: a length mismatch returns `false`, but only after a comparison
/// of the same cost as an equal-length one, so there is no early, data-dependent exit.
public func constantTimeEquals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
where A.Element == UInt8, B.Element == UInt8 {
    let left = Array(lhs)
    let right = Array(rhs)
    let sameLength = left.count == right.count
    // On a length mismatch compare `left` with itself: same work, result discarded.
    let other = sameLength ? right : left
    guard !left.isEmpty else { return sameLength }
    let difference = left.withUnsafeBytes { a in
        other.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) }
    }
    return sameLength && difference == 0
}
