import TMFcgi

/// The 401 problems of authentication, each with `WWW-Authenticate` (RFC 6750 §3).
enum AuthProblem {
    /// No credentials were presented.
    static var missingCredentials: Problem {
        Problem(
            .unauthorized, detail: "Authentication is required: send Authorization: Bearer <token>.",
            headers: [("WWW-Authenticate", "Bearer")])
    }

    /// Credentials were presented but are not valid (bad, expired, revoked).
    static func invalidToken(_ detail: String = "The access token is invalid, expired or revoked.") -> Problem {
        Problem(.unauthorized, detail: detail, headers: [("WWW-Authenticate", "Bearer error=\"invalid_token\"")])
    }
}
