import Foundation
import Models
import Security
import TMFcgi

/// Public routes under `/api/v1/auth`: register, log in (JSON and OAuth2 password grant),
/// refresh. Everything else needs a caller and is in ``AccountHandlers``.
struct AuthHandlers: Sendable {
    let service: AccountService

    /// The body of `POST /auth/register`.
    struct Registration: Decodable {
        var username: String
        var email: String
        var password: String
        var fullName: String?
        var agreeTerms: Bool
    }

    /// `POST /auth/register`: a new account with role `user`; 201 with the user, 409 when the
    /// username or email is taken, 422 listing every invalid field.
    public func register(_ request: Request, _ context: AppContext) throws -> Created<User> {
        let body = try request.decode(Registration.self)
        var issues = AccountValidation.validate(username: body.username, email: body.email, password: body.password)
        let fullName = FullName.validate(body.fullName, issues: &issues)
        if !body.agreeTerms {
            issues.append(ValidationIssue(field: "/agree_terms", code: "terms.required", message: "You must agree to the terms."))
        }
        try issues.throwIfAny()
        let user = try service.register(
            username: body.username, email: body.email, password: body.password,
            fullName: fullName, request: request)
        return Created(user, location: "/api/v1/auth/me")
    }

    /// The body of `POST /auth/login`.
    struct Login: Decodable {
        var username: String
        var password: String
        var rememberMe: Bool?
    }

    /// What `POST /auth/login` answers.
    struct LoginResult: Codable {
        var user: User
        var tokens: TokenPair
    }

    /// `POST /auth/login`: username or email plus password → the user and a token pair.
    public func login(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(Login.self)
        let (user, tokens) = try service.login(
            identifier: body.username, password: body.password,
            rememberMe: body.rememberMe ?? false, request: request)
        request.logFields.append(("user_id", String(user.id)))
        return try Self.noStore(LoginResult(user: user, tokens: tokens))
    }

    /// `POST /auth/token`: the OAuth2 resource-owner password grant (RFC 6749 §4.3) for API
    /// documentation tools; errors use RFC 6749 §5.2's `{error, error_description}`.
    public func token(_ request: Request, _ context: AppContext) throws -> Response {
        let form = try request.formFields()
        guard let grant = form["grant_type"] else {
            return try Self.oauthError("invalid_request", "grant_type is required.")
        }
        guard grant == "password" else {
            return try Self.oauthError("unsupported_grant_type", "Only grant_type=password is supported.")
        }
        guard let username = form["username"], !username.isEmpty, let password = form["password"] else {
            return try Self.oauthError("invalid_request", "username and password are required.")
        }
        do {
            let (user, tokens) = try service.login(identifier: username, password: password, rememberMe: false, request: request)
            request.logFields.append(("user_id", String(user.id)))
            return try Self.noStore(tokens)
        } catch AccountService.LoginError.invalidCredentials {
            return try Self.oauthError("invalid_grant", "Incorrect username or password.")
        } catch AccountService.LoginError.inactive {
            return try Self.oauthError("invalid_grant", "This account has been deactivated.")
        }
    }

    /// The form of `POST /auth/token` (documentation only: the handler reads the form itself).
    struct TokenForm: Decodable {
        var grantType: String
        var username: String
        var password: String
    }

    /// An RFC 6749 §5.2 error.
    struct OAuthError: Codable {
        var error: String
        var errorDescription: String
    }

    /// The body of `POST /auth/refresh`.
    struct Refresh: Decodable {
        var refreshToken: String
    }

    /// `POST /auth/refresh`: a new token pair; the presented refresh token stops working, and
    /// presenting it again revokes the whole session.
    public func refresh(_ request: Request, _ context: AppContext) throws -> Response {
        let body = try request.decode(Refresh.self)
        return try Self.noStore(try service.refresh(body.refreshToken, request: request))
    }

    /// `value` as JSON that no cache may keep (RFC 6749 §5.1).
    static func noStore<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        var response = try JSONCoding.response(value, status: status)
        response.headers.add("Cache-Control", "no-store")
        response.headers.add("Pragma", "no-cache")
        return response
    }

    /// An RFC 6749 §5.2 error response (400).
    static func oauthError(_ code: String, _ description: String) throws -> Response {
        try noStore(OAuthError(error: code, errorDescription: description), status: .badRequest)
    }
}

extension User: ResponseEncodable {}
