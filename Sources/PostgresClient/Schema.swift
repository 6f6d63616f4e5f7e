/// The database schema this binary was built for.
///
/// The version is a constant compiled in, not read from `TM_MIGRATIONS_DIR` at start: the
/// SQL in this binary was written for exactly these migrations, whatever folder sits next
/// to it on a host (an operator may install a binary and forget the folder, or the reverse).
/// A test keeps it equal to the highest file number in `migrations/`.
public enum Schema {
    /// The highest migration number in `migrations/` when this binary was built.
    public static let version = 26

    /// How a database's applied schema compares with ``version``.
    public enum Verdict: Equatable, Sendable {
        /// Nothing is applied yet (no `schema_migrations`): run `tm migrate`.
        case empty
        /// Migrations this binary knows are still to apply: run `tm migrate`.
        case behind(applied: Int)
        /// The database is at this binary's schema.
        case current
        /// The database has migrations newer than this binary: it must not run on it.
        case ahead(applied: Int)
    }

    /// The verdict for a database whose highest applied migration is `applied`.
    public static func verdict(applied: Int?) -> Verdict {
        guard let applied else { return .empty }
        if applied > version { return .ahead(applied: applied) }
        return applied < version ? .behind(applied: applied) : .current
    }
}
