import Foundation
import Models
import Quant
import TMFcgi

/// `GET /api/v1/data/datasets/:id/bars`: a symbol's bars column-wise, or the dataset as CSV.
struct BarsHandlers: Sendable {
    let store: DatasetStore
    /// The most points a JSON answer has (`max_points` may ask for fewer).
    static let maximumPoints = 100_000

    /// Adds the route.
    public func register(on routes: inout Routes) {
        var doc = RouteDoc(
            "Bars of a dataset: one symbol column-wise as JSON, or the dataset as CSV", tag: "data",
            description: """
                JSON: {symbol, time[], open[], high[], low[], close[], volume[]}, aggregated into at most max_points buckets \
                (open first, high max, low min, close last, volume sum). format=csv: every symbol (only `symbol`'s when given; \
                the range when given) in the file's own layout and columns, as text/csv.
                """,
            response: BarsAnswer.self,
            query: [
                .string("symbol", "The symbol (JSON: required when the dataset has several; CSV: only its rows).", maxLength: 64),
                .string("start", "First time included (RFC 3339 or YYYY-MM-DD).", maxLength: 40),
                .string("end", "First time excluded (RFC 3339 or YYYY-MM-DD).", maxLength: 40),
                .integer("max_points", 1...Self.maximumPoints, "At most this many points (default \(Self.maximumPoints))."),
                .choice("format", ["json", "csv"], "json (default) or csv."),
            ])
        doc.otherMediaTypes = ["text/csv"]
        routes.get("/api/v1/data/datasets/:id/bars", .caller(.read), doc: doc, use: bars)
    }

    /// The JSON answer.
    struct BarsAnswer: Codable {
        var symbol: String
        var time: [Date]
        var open: [Double]
        var high: [Double]
        var low: [Double]
        var close: [Double]
        var volume: [Double]
        /// Rows in the range before bucketing.
        var sourceRows: Int
        /// Whether rows were aggregated.
        var bucketed: Bool
    }

    /// The `symbol` parameter, checked against `dataset`; the only symbol when left out of a
    /// one-symbol dataset.
    static func symbol(_ query: [String: String], of dataset: Dataset, errors: inout [FieldError]) -> String? {
        if let given = query["symbol"] {
            if !dataset.symbols.contains(given) { errors.append(FieldError(pointer: "symbol", detail: "is not in this dataset")) }
            return given
        }
        if dataset.symbols.count == 1 { return dataset.symbols[0] }
        errors.append(FieldError(pointer: "symbol", detail: "is required: the dataset has \(dataset.symbols.count) symbols"))
        return nil
    }

    /// A time parameter as epoch seconds.
    static func time(_ query: [String: String], _ name: String, errors: inout [FieldError]) -> Int64? {
        guard let text = query[name] else { return nil }
        let bytes = Array(text.utf8)
        if bytes.count <= 40, case .success(let seconds) = bytes.withUnsafeBufferPointer(CSVTimestamp.parse),
            (-62_135_596_800...253_402_300_799).contains(seconds)
        {
            return seconds
        }
        errors.append(FieldError(pointer: name, detail: "must be an RFC 3339 date-time or a date like 2024-03-05"))
        return nil
    }

    /// `GET /api/v1/data/datasets/:id/bars`.
    public func bars(_ request: Request, _ context: AuthenticatedContext) throws -> Response {
        let dataset = try DatasetHandlers(store: store).dataset(context)
        let query = try request.queryItems
        var errors: [FieldError] = []
        let start = Self.time(query, "start", errors: &errors)
        let end = Self.time(query, "end", errors: &errors)
        let maxPoints = QueryValue.integer(query, "max_points", 1...Self.maximumPoints, errors: &errors) ?? Self.maximumPoints
        let format = query["format"] ?? "json"
        if format != "json" && format != "csv" { errors.append(FieldError(pointer: "format", detail: "must be json or csv")) }
        // JSON needs one symbol; CSV takes every symbol unless one is named (then only it).
        let symbol = format == "json" || query["symbol"] != nil ? Self.symbol(query, of: dataset, errors: &errors) : nil
        try QueryValue.check(errors)
        if format == "csv" {
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/csv; charset=utf-8")
            headers.add("Content-Disposition", "attachment; filename=\"dataset-\(dataset.id).csv\"")
            // Streamed page by page after the headers: the worker never holds the whole export.
            let store = self.store
            return Response(status: .ok, headers: headers) { write in
                try store.exportCSV(dataset, symbol: symbol, start: start, end: end) { text in
                    var text = text
                    try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
                }
            }
        }
        let columns = try store.bars(datasetID: dataset.id, symbol: symbol ?? "", start: start, end: end, maxPoints: maxPoints)
        let answer = BarsAnswer(
            symbol: columns.symbol, time: columns.time.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            open: columns.open, high: columns.high, low: columns.low, close: columns.close, volume: columns.volume,
            sourceRows: columns.sourceRows, bucketed: columns.time.count < columns.sourceRows)
        return try JSONCoding.response(answer, status: .ok)
    }
}
