import TMFcgi

/// The 401 problems of authentication, each with `WWW-Authenticate` (RFC 6750 §3).
enum AuthProblem {
    /// No credentials were presented.
    static var missingCredentials: Problem {
        Problem(
            .unauthorized, detail: "Authentication is required: send Authorization: Bearer <token>.",
            headers: [("WWW-Authenticate", "Bearer")])
    }

    /// Two credentials in one request (`Authorization` and `X-API-Key`): refused rather than
    /// served as one of them, which could be another user (RFC 6750 §3.1: a request uses one
    /// method of authentication).
    static var ambiguousCredentials: Problem {
        Problem(
            .badRequest, type: "/problems/ambiguous-credentials", title: "Ambiguous credentials",
            detail: "The request carries both Authorization and X-API-Key; send exactly one credential.",
            headers: [("WWW-Authenticate", "Bearer error=\"invalid_request\"")])
    }

    /// Credentials were presented but are not valid (bad, expired, revoked).
    static func invalidToken(_ detail: String = "The access token is invalid, expired or revoked.") -> Problem {
        Problem(.unauthorized, detail: detail, headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
    }
}
