import CurlHTTP
import Foundation

/// The TradeMaster research service (a Flask app) as its contract describes it
/// (`shared/TRADEMASTER-API.md`): JSON bodies under `/api/TradeMaster/`, errors as HTTP 200
/// with `error_code: 1` and an `info` (only `upload_csv` uses HTTP 400 `{error}`), sessions
/// identified by `session_id`, and no cancel.
///
/// Every call retries connection failures and timeouts with exponential backoff
/// (``Policy``), and goes through the optional ``CircuitBreaker`` so a service that is down
/// is not hammered by every job.
public struct TradeMasterClient: Sendable {
    /// Retries of one call.
    public struct Policy: Sendable {
        /// Tries per call (the first included).
        public var attempts: Int
        /// The delay before the second try, doubled per try up to `maximumDelay`.
        public var firstDelay: Double
        /// The longest delay between tries.
        public var maximumDelay: Double

        /// A policy; the defaults try 4 times over about 3.5 s.
        public init(attempts: Int = 4, firstDelay: Double = 0.5, maximumDelay: Double = 8) {
            self.attempts = max(1, attempts)
            self.firstDelay = firstDelay
            self.maximumDelay = maximumDelay
        }
    }

    /// The base URL (`TRADEMASTER_API_URL`).
    public let baseURL: String
    let http: HTTPClient
    /// Retries of one call.
    public let policy: Policy
    /// The breaker shared by the process's calls, if any.
    public let breaker: CircuitBreaker?

    /// A client for `baseURL` with a per-call deadline.
    public init(baseURL: String, timeout: Double = 5, policy: Policy = Policy(), breaker: CircuitBreaker? = nil) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        // Status answers carry up to 2000 log lines and base64 images.
        self.http = HTTPClient(timeout: timeout, maxBodyBytes: 64 << 20)
        self.policy = policy
        self.breaker = breaker
    }

    /// `GET /api/TradeMaster/healthcheck`: true when it answers 200 with `error_code` 0.
    /// One try, no breaker: this is the probe of `/api/v1/status`.
    public func healthcheck() throws -> Bool {
        let response = try http.send(method: "GET", url: baseURL + "/api/TradeMaster/healthcheck")
        guard response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        else { return false }
        return (object["error_code"] as? Int ?? 1) == 0
    }

    /// `GET getParameters`: the tasks, datasets (`task:ds`) and agents (`task:agent`) it offers.
    public func parameters() throws(TradeMasterError) -> [String: Any] {
        try call("getParameters", method: "GET", body: nil)
    }

    /// `POST train`: starts a training session; its `session_id`.
    public func train(_ body: [String: Any]) throws(TradeMasterError) -> String {
        try session(from: call("train", body: body), route: "train")
    }

    /// `POST test` of a trained session.
    public func test(sessionID: String) throws(TradeMasterError) {
        _ = try session(from: call("test", body: ["session_id": sessionID]), route: "test")
    }

    /// `POST start_market_dynamics_labeling`: its `session_id`.
    public func startMarketDynamicsLabeling(_ body: [String: Any]) throws(TradeMasterError) -> String {
        try session(from: call("start_market_dynamics_labeling", body: body), route: "start_market_dynamics_labeling")
    }

    /// `POST save_market_dynamics_labeling`: the service's `info`.
    public func saveMarketDynamicsLabeling(sessionID: String) throws(TradeMasterError) -> String {
        let answer = try call("save_market_dynamics_labeling", body: ["session_id": sessionID])
        return answer["info"] as? String ?? ""
    }

    /// `POST run_dynamics_test` for a label of a saved labelling.
    public func runDynamicsTest(sessionID: String, label: String) throws(TradeMasterError) {
        _ = try call("run_dynamics_test", body: ["session_id": sessionID, "dynamics_test_label": label])
    }

    /// `POST upload_csv`: `rows` as a JSON string of row objects, as the contract wants; the
    /// session it went to.
    public func uploadCSV(fileName: String, rows: [[String: Any]], sessionID: String? = nil) throws(TradeMasterError) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: rows) else {
            throw .malformed(route: "upload_csv", detail: "rows are not JSON")
        }
        var body: [String: Any] = ["file_name": fileName, "file": String(decoding: data, as: UTF8.self)]
        if let sessionID { body["session_id"] = sessionID }
        return try session(from: call("upload_csv", body: body), route: "upload_csv")
    }

    /// A `*_status` route (`train_status`, `test_status`, `MDM_status`,
    /// `dynamics_testing_status`): its answer, with `info` as text and the end flag named `flag`.
    public func status(_ route: String, sessionID: String, flag: String, extra: [String: Any] = [:]) throws(TradeMasterError) -> TradeMasterStatus {
        var body = extra
        body["session_id"] = sessionID
        let answer = try call(route, body: body)
        guard let ended = answer[flag] as? Bool else {
            throw .malformed(route: route, detail: "no boolean \(flag)")
        }
        let info: String
        switch answer["info"] {
        case let text as String: info = text
        case let lines as [Any]: info = lines.map { "\($0)" }.joined(separator: "\n")
        default: info = ""
        }
        var images: [String: String] = [:]
        for (key, value) in answer {
            if let text = value as? String, text.count > 64, key != "info", key != "session_id" { images[key] = text }
        }
        return TradeMasterStatus(info: info, ended: ended, images: images)
    }

    /// Sends one call with retries and the breaker; the answer's object when it is not an
    /// error. `error_code: 1` (and upload_csv's 400) become ``TradeMasterError/service(route:info:)``.
    public func call(_ route: String, method: String = "POST", body: [String: Any]?) throws(TradeMasterError) -> [String: Any] {
        var payload: [UInt8] = []
        if let body {
            guard let data = try? JSONSerialization.data(withJSONObject: body) else {
                throw .malformed(route: route, detail: "request is not JSON")
            }
            payload = Array(data)
        }
        var delay = policy.firstDelay
        var lastCause = ""
        for attempt in 1...policy.attempts {
            if let breaker, let refusal = breaker.admit() {
                throw .circuitOpen(retryAfter: refusal.retryAfter, lastError: refusal.lastError)
            }
            let response: HTTPClientResponse
            do {
                response = try http.send(
                    method: method, url: baseURL + "/api/TradeMaster/" + route,
                    headers: body == nil ? [] : [("Content-Type", "application/json")], body: payload)
            } catch {
                switch error {
                case .unreachable(let reason): lastCause = reason
                case .timeout: lastCause = "timed out"
                case .invalidURL, .invalidRequest: throw .malformed(route: route, detail: error.description)
                case .responseTooLarge, .malformedResponse:
                    breaker?.succeeded()
                    throw .malformed(route: route, detail: error.description)
                }
                breaker?.failed(lastCause)
                if attempt < policy.attempts {
                    Thread.sleep(forTimeInterval: delay * Double.random(in: 0.8...1.2))
                    delay = min(delay * 2, policy.maximumDelay)
                }
                continue
            }
            if response.status < 500 {
                breaker?.succeeded()
                return try Self.decode(response, route: route)
            }
            // Flask's own 500 page: the service is up but broken for now.
            lastCause = "HTTP \(response.status)"
            breaker?.failed(lastCause)
            if attempt < policy.attempts {
                Thread.sleep(forTimeInterval: delay * Double.random(in: 0.8...1.2))
                delay = min(delay * 2, policy.maximumDelay)
            }
        }
        throw .unreachable(route: route, attempts: policy.attempts, cause: lastCause)
    }

    private static func decode(_ response: HTTPClientResponse, route: String) throws(TradeMasterError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] else {
            throw .malformed(route: route, detail: "HTTP \(response.status) without a JSON object")
        }
        if response.status == 400, let error = object["error"] as? String {
            throw .service(route: route, info: error)
        }
        guard response.status == 200 else {
            throw .malformed(route: route, detail: "HTTP \(response.status)")
        }
        if let code = object["error_code"] as? Int, code != 0 {
            // The real service answers some errors with an empty info (its status routes do).
            let info = (object["info"] as? String).map { String($0.prefix(500)) } ?? ""
            throw .service(route: route, info: info.isEmpty ? "error_code \(code) without a message" : info)
        }
        return object
    }

    private func session(from answer: [String: Any], route: String) throws(TradeMasterError) -> String {
        guard let id = answer["session_id"] as? String, !id.isEmpty else {
            throw .malformed(route: route, detail: "no session_id")
        }
        return id
    }
}
