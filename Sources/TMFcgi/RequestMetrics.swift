import CAtomic
import Metrics

/// The per-request counting of ``Application``, with every series' slot found once: a
/// request costs a dictionary lookup of its route template and a few atomic additions, no
/// string building and no hashing of series names.
final class RequestMetrics: @unchecked Sendable {
    let region: MetricsRegion
    private let busy: MetricsRegion.Handle?
    private let routes: [String: [HTTPMethod: RouteCounters]]
    private let unmatched: [HTTPMethod: RouteCounters]

    /// Counters for every registered route of `router`.
    init<Context>(region: MetricsRegion, router: Router<Context>) {
        self.region = region
        busy = region.handle(MetricCatalog.poolBusyThreads, kind: .gauge)
        var routes: [String: [HTTPMethod: RouteCounters]] = [:]
        for (method, pattern) in router.registered {
            routes[pattern, default: [:]][method] = RouteCounters(region: region, method: method, route: pattern)
            if method == .get { routes[pattern, default: [:]][.head] = RouteCounters(region: region, method: .head, route: pattern) }
        }
        self.routes = routes
        var unmatched: [HTTPMethod: RouteCounters] = [:]
        for method in HTTPMethod.allCases { unmatched[method] = RouteCounters(region: region, method: method, route: "unmatched") }
        self.unmatched = unmatched
    }

    /// A request starts.
    @inline(__always)
    func begin() {
        if let busy { region.add(busy, 1) }
    }

    /// A request of `method` on `route` (nil: unmatched) ended with `status` after `seconds`.
    func end(method: HTTPMethod, route: String?, status: Int, seconds: Double) {
        if let busy { region.add(busy, UInt64(bitPattern: -1)) }
        guard let counters = route.flatMap({ routes[$0]?[method] }) ?? unmatched[method] else { return }
        counters.count(status: status, seconds: seconds)
    }
}

/// One route template and method: its latency histogram and its counters by status.
final class RouteCounters: @unchecked Sendable {
    let region: MetricsRegion
    let method: HTTPMethod
    let route: String
    let latency: MetricsRegion.Handle?
    /// Slot + 1 of the counter of each status 100...599 (0: not looked up yet); benign
    /// races only (every writer stores the same value), through atomics.
    private let statuses: UnsafeMutablePointer<UInt32>

    init(region: MetricsRegion, method: HTTPMethod, route: String) {
        self.region = region
        self.method = method
        self.route = route
        latency = region.handle(
            MetricCatalog.series(MetricCatalog.httpDuration, [("method", method.rawValue), ("route", route)]),
            kind: .histogram)
        statuses = .allocate(capacity: 500)
        statuses.initialize(repeating: 0, count: 500)
    }

    deinit { statuses.deallocate() }

    func count(status: Int, seconds: Double) {
        if let latency { region.observe(latency, seconds: seconds) }
        guard (100..<600).contains(status) else { return }
        let cell = statuses + (status - 100)
        var slot = tm_atomic_load_u32(cell)
        if slot == 0 {
            let series = MetricCatalog.series(
                MetricCatalog.httpRequests,
                [("method", method.rawValue), ("route", route), ("status", String(status))])
            guard let handle = region.handle(series, kind: .counter) else { return }
            slot = UInt32(handle.slotNumber + 1)
            tm_atomic_store_u32(cell, slot)
        }
        region.add(MetricsRegion.Handle(slotNumber: Int(slot - 1)), 1)
    }
}
