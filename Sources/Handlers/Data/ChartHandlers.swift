import Models
import Realtime
import TMFcgi

/// `GET /api/v1/data/datasets/:id/chart.svg`: a server-rendered chart of one symbol.
struct ChartHandlers: Sendable {
    let store: DatasetStore
    /// The most buckets drawn.
    static let maximumBuckets = 1000

    /// Adds the route.
    public func register(on routes: inout Routes) {
        var doc = RouteDoc(
            "An SVG chart of one symbol: candles or a close line, with volume", tag: "data",
            description: "At most 1,000 buckets are drawn (OHLCV aggregation, as the bars' max_points).",
            query: [
                .string("symbol", "The symbol (required when the dataset has several).", maxLength: 64),
                .string("start", "First time included (RFC 3339 or YYYY-MM-DD).", maxLength: 40),
                .string("end", "First time excluded (RFC 3339 or YYYY-MM-DD).", maxLength: 40),
                .choice("kind", ["candles", "line"], "candles (default) or line."),
                .integer("width", 200...4000, "Width in pixels (default 960)."),
                .integer("height", 150...3000, "Height in pixels (default 540)."),
            ])
        doc.status = 200
        doc.otherMediaTypes = ["image/svg+xml"]
        routes.get("/api/v1/data/datasets/:id/chart.svg", .caller(.read), doc: doc, use: chart)
    }

    /// `GET /api/v1/data/datasets/:id/chart.svg`.
    public func chart(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let dataset = try DatasetHandlers(store: store).dataset(context)
        let query = try request.queryItems
        var errors: [FieldError] = []
        let start = BarsHandlers.time(query, "start", errors: &errors)
        let end = BarsHandlers.time(query, "end", errors: &errors)
        let width = QueryValue.integer(query, "width", 200...4000, errors: &errors) ?? 960
        let height = QueryValue.integer(query, "height", 150...3000, errors: &errors) ?? 540
        let kind = QueryValue.choice(query, "kind", ChartRenderer.Kind.self, errors: &errors) ?? .candles
        let symbol = BarsHandlers.symbol(query, of: dataset, errors: &errors)
        try QueryValue.check(errors)
        let buckets = min(Self.maximumBuckets, max(10, width / 2))
        let bars = try store.bars(datasetID: dataset.id, symbol: symbol ?? "", start: start, end: end, maxPoints: buckets)
        let renderer = ChartRenderer(
            width: width, height: height, kind: kind,
            title: "\(dataset.name) · \(symbol ?? "") · \(dataset.summary.interval)")
        var headers = HTTPHeaders()
        headers.add("Content-Type", "image/svg+xml")
        return Response(status: .ok, headers: headers, body: Array(renderer.render(bars).utf8))
    }
}
