import JobRuntime
import Metrics
import Models
import Security
import TMFcgi

/// `GET /metrics`: the Prometheus text of the whole pool (every worker counts in the shared
/// region), plus the job queue read from PostgreSQL at scrape time.
///
/// Served only to nginx's metrics location, which alone sets the FastCGI parameter
/// `TM_METRICS_ENDPOINT=1` (and allows only its allow-list): any other location that reaches
/// this route (`/metrics/`, which the router treats as `/metrics`) gets the 404 of an unknown
/// path. With a token (`TM_METRICS_TOKEN`), scrapers must also send `Authorization: Bearer`.
public struct MetricsHandlers: Sendable {
    let region: MetricsRegion
    let queue: JobQueue
    let training: TrainingStore?
    /// SHA-256 of the scrape token, when one is required: compared in constant time with the
    /// digest of what the scraper sends, so neither its content nor its length leaks.
    let tokenDigest: [UInt8]?
    /// What is read at scrape time.
    let figures: ScrapeFigures

    /// The FastCGI parameter nginx's metrics location sets to `1`.
    public static let endpointParameter = "TM_METRICS_ENDPOINT"

    /// Handlers over the region, the queue and the trainings; with `token`, scrapes need it.
    /// `figures` (the queue and trainings alone by default) adds what is read at scrape time.
    public init(region: MetricsRegion, queue: JobQueue, training: TrainingStore? = nil, token: String? = nil, figures: ScrapeFigures? = nil) {
        self.region = region
        self.queue = queue
        self.training = training
        self.tokenDigest = token.map { SHA256.hash(Array($0.utf8)) }
        self.figures = figures ?? ScrapeFigures(queue: queue, training: training)
    }

    /// The exposition. When PostgreSQL is down the job families are left out, not the rest.
    public func scrape(_ request: Request, _ context: AppContext) throws -> Response {
        guard request.serverParameters[Self.endpointParameter] == "1" else {
            throw Problem(.notFound, detail: "No route for \(request.path).")
        }
        if let tokenDigest {
            let header = request.headers["Authorization"] ?? ""
            let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            let presented = parts.count == 2 && parts[0].lowercased() == "bearer" ? String(parts[1]).trimmingSpaces : ""
            guard constantTimeEquals(SHA256.hash(Array(presented.utf8)), tokenDigest) else {
                throw Problem(
                    .unauthorized, detail: "Scraping the metrics needs Authorization: Bearer <token>.",
                    headers: [("WWW-Authenticate", "Bearer")])
            }
        }
        let extra = figures.samples()
        var headers = HTTPHeaders()
        headers.add("Content-Type", PrometheusText.contentType)
        headers.add("Cache-Control", "no-store")
        return Response(status: .ok, headers: headers, body: Array(PrometheusText.render(region.samples(), extra: extra).utf8))
    }
}
