import Foundation

extension TradeMasterClient {
    /// `GET /api/TradeMaster/getParameters`: what the service can train, or nil when it does
    /// not answer with `error_code` 0 and the lists (callers then use
    /// ``TradeMasterCatalogue/documented``).
    public func catalogue() -> TradeMasterCatalogue? {
        guard let response = try? http.send(method: "GET", url: baseURL + "/api/TradeMaster/getParameters"),
            response.status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            (object["error_code"] as? Int ?? 0) == 0
        else { return nil }
        return TradeMasterListing(parameters: object).flatMap(TradeMasterCatalogue.init(listing:))
    }
}

extension TradeMasterClient {
    /// `POST evaluation_getParameters`: the market-dynamics defaults per dataset (the real
    /// service answers the plain object, without `error_code`).
    public func evaluationParameters(sessionID: String?) throws(TradeMasterError) -> [String: Any] {
        try call("evaluation_getParameters", body: ["session_id": sessionID ?? ""])
    }
}
