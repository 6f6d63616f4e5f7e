/// The values a parameter search may give each parameter: a range walked in steps, or a list.
public struct ParameterSpace: Sendable, Equatable {
    /// One parameter's candidates.
    public enum Dimension: Sendable, Equatable {
        /// `min, min + step, …` up to `max` (inclusive, within a rounding tolerance).
        case range(min: Double, max: Double, step: Double)
        /// Exactly these values, in this order.
        case values([Double])
    }

    /// The dimensions, sorted by parameter name (the order of grid enumeration).
    public private(set) var dimensions: [(name: String, dimension: Dimension)]

    /// The most values one range may produce.
    public static let maximumValuesPerDimension = 100_000

    /// A space over `dimensions`; validated against the strategy by ``validated(for:)``.
    public init(_ dimensions: [String: Dimension]) {
        self.dimensions = dimensions.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public static func == (a: ParameterSpace, b: ParameterSpace) -> Bool {
        a.dimensions.map(\.name) == b.dimensions.map(\.name) && a.dimensions.map(\.dimension) == b.dimensions.map(\.dimension)
    }

    /// The candidate values of a dimension.
    public static func values(of dimension: Dimension) -> [Double] {
        (0..<count(of: dimension)).map { value(of: dimension, at: $0) }
    }

    /// How many candidate values a dimension has, without listing them.
    public static func count(of dimension: Dimension) -> Int {
        switch dimension {
        case .values(let list): return list.count
        case .range(let lower, let upper, let step): return Int(((upper - lower) / step + 1e-9).rounded(.down)) + 1
        }
    }

    /// The `index`-th candidate value of a dimension (`index < count(of:)`), without listing
    /// the others: a draw or a grid point costs one multiplication per range.
    public static func value(of dimension: Dimension, at index: Int) -> Double {
        switch dimension {
        case .values(let list): return list[index]
        case .range(let lower, _, let step):
            // 0.1 + 3·0.1 should print as 0.4: snap to the step's decimal grid.
            return ((lower + Double(index) * step) * 1e9).rounded() / 1e9
        }
    }

    /// Checks every dimension against the strategy's parameter specs: a known parameter,
    /// `min ≤ max`, `step > 0`, a non-empty list, every value valid for the parameter. The
    /// errors name the parameter (`space.fast`).
    public func validated(for descriptor: StrategyDescriptor) throws(StrategyError) -> ParameterSpace {
        guard !dimensions.isEmpty else {
            throw .invalidParameter(name: "space", message: "space must name at least one parameter")
        }
        for (name, dimension) in dimensions {
            guard let spec = descriptor.parameter(named: name) else {
                throw .unknownParameter(name: name, strategy: descriptor.name, known: descriptor.parameters.map(\.name))
            }
            if case .range(let lower, let upper, let step) = dimension {
                guard lower.isFinite, upper.isFinite, step.isFinite, lower <= upper, step > 0 else {
                    throw .invalidParameter(name: name, message: "\(name) needs finite min ≤ max and step > 0")
                }
                guard (upper - lower) / step < Double(Self.maximumValuesPerDimension) else {
                    throw .invalidParameter(name: name, message: "\(name) has more than \(Self.maximumValuesPerDimension) values")
                }
            }
            let values = Self.values(of: dimension)
            guard !values.isEmpty else { throw .invalidParameter(name: name, message: "\(name) needs at least one value") }
            for value in values { _ = try spec.validate(value) }
        }
        return self
    }

    /// The number of combinations of a full grid (saturating at `Int.max`).
    public var gridSize: Int {
        dimensions.reduce(1) { total, entry in
            let (product, overflow) = total.multipliedReportingOverflow(by: Self.count(of: entry.dimension))
            return overflow ? Int.max : product
        }
    }

    /// The `index`-th combination of the grid, the last parameter varying fastest.
    public func gridPoint(_ index: Int) -> [String: Double] {
        var rest = index
        var point: [String: Double] = [:]
        for (name, dimension) in dimensions.reversed() {
            let count = Self.count(of: dimension)
            point[name] = Self.value(of: dimension, at: rest % count)
            rest /= count
        }
        return point
    }

    /// A point drawn uniformly from the grid's values of each dimension.
    public func randomPoint(using generator: inout SplitMix64) -> [String: Double] {
        var point: [String: Double] = [:]
        for (name, dimension) in dimensions {
            point[name] = Self.value(of: dimension, at: Int(generator.next() % UInt64(Self.count(of: dimension))))
        }
        return point
    }
}
