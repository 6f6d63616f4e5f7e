import Models
import TMFcgi

/// A route's own access check, inside the authenticated group: a login session when the
/// route needs one, and the permission from the caller's role; 403 otherwise.
struct PermissionMiddleware: Middleware {
    let access: CallerAccess

    func handle(
        _ request: Request, context: AuthenticatedContext,
        next: (Request, AuthenticatedContext) throws -> Response
    ) throws -> Response {
        let principal = context.principal
        if access.needsSession { _ = try principal.requireSession() }
        guard principal.role.allows(access.permission) else {
            throw Problem(
                .forbidden, detail: "Your role (\(principal.role.rawValue)) does not allow this (\(access.permission.rawValue) permission required).")
        }
        return try next(request, context)
    }
}
