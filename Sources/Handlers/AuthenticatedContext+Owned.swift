import TMFcgi

extension AuthenticatedContext {
    /// The resource of the path's `id` that `find` gives for the caller's owner scope (its own
    /// user id, nil for an admin), or the error `notFound` makes of the id: the one owner
    /// lookup of the routes under `…/:id`, so another user's id and an unknown one answer alike.
    func owned<Resource>(
        _ find: (_ id: Int64, _ owner: Int64?) throws -> Resource?,
        orThrow notFound: (_ id: Int64) -> any Error
    ) throws -> Resource {
        let id = try parameters.require("id", as: Int64.self)
        guard id > 0, let resource = try find(id, principal.ownerScope) else { throw notFound(id) }
        return resource
    }
}

extension Problem {
    /// The one answer for an id in a request body (or query) that is not the caller's: 404,
    /// as in a path, naming the member; another user's id and an unknown one answer alike.
    static func notYours(_ what: String, _ id: Int64, at pointer: String) -> Problem {
        let member = pointer.split(separator: "/").joined(separator: ".")
        return Problem(
            .notFound, detail: "No \(what) \(id) of yours (\(member)).", errors: [FieldError(pointer: pointer, detail: "no such \(what) of yours")])
    }
}
