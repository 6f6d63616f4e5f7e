import Models
import TMFcgi

/// Who may call a route, as a type, so that the handler's context follows from it: a public
/// route's handler takes the ``AppContext``, an authenticated route's handler an
/// ``AuthenticatedContext`` whose caller is not optional. Write `.anyone`, `.caller(_:)` or
/// `.session(_:)` where ``Routes`` asks for one.
public protocol RouteAccess: Sendable {
    /// The context the route's handler takes.
    associatedtype Context: Sendable
    /// The access as the documentation states it.
    var access: Access { get }
    /// The group of `routes` the route belongs to: its middleware makes `Context`.
    func group(of routes: Routes) -> RouterGroup<AppContext, Context>
}

/// The access of a route that anyone may call: no credentials are read.
public struct PublicAccess: RouteAccess {
    public var access: Access { .anyone }

    public func group(of routes: Routes) -> RouterGroup<AppContext, AppContext> { routes.router.group() }
}

/// The access of a route for an authenticated caller whose role grants `permission` (and,
/// with `needsSession`, who signed in with a login session rather than an API key).
public struct CallerAccess: RouteAccess {
    /// The permission the caller's role must grant.
    public let permission: Permission
    /// Whether an API key is refused (403).
    public let needsSession: Bool

    public var access: Access { needsSession ? .session(permission) : .caller(permission) }

    public func group(of routes: Routes) -> RouterGroup<AppContext, AuthenticatedContext> {
        routes.authenticated.add(middleware: PermissionMiddleware(access: self))
    }
}

extension RouteAccess where Self == PublicAccess {
    /// Anyone: see ``Access/anyone``.
    public static var anyone: PublicAccess { PublicAccess() }
}

extension RouteAccess where Self == CallerAccess {
    /// A session or an API key whose role grants `permission`: see ``Access/caller(_:)``.
    public static func caller(_ permission: Permission) -> CallerAccess { CallerAccess(permission: permission, needsSession: false) }
    /// A login session whose role grants `permission`: see ``Access/session(_:)``.
    public static func session(_ permission: Permission) -> CallerAccess { CallerAccess(permission: permission, needsSession: true) }
}
