/// Picks evenly spaced rows of a long series for a chart or an answer.
public enum Downsampling {
    /// At most `maxPoints` indices of `0..<count`, evenly spaced, the first and last included
    /// (just the last when `maxPoints` is 1).
    public static func indices(count: Int, maxPoints: Int) -> [Int] {
        guard count > maxPoints else { return Array(0..<max(count, 0)) }
        guard maxPoints >= 2 else { return maxPoints == 1 ? [count - 1] : [] }
        return (0..<maxPoints).map { Int((Double($0) * Double(count - 1) / Double(maxPoints - 1)).rounded()) }
    }
}
