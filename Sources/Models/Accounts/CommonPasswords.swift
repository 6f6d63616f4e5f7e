/// The common-password list (see Resources/README.md for its source and licence), compiled in.
public enum CommonPasswords {
    /// The lower-cased entries, built on first use; Swift runs a static initializer exactly
    /// once even when several threads reach it together.
    private static let entries: Set<String> = Set(rawList.split(separator: "\n").map { $0.lowercased() })

    /// The number of distinct lower-cased entries.
    public static var count: Int { entries.count }

    /// Whether `password`, lower-cased, is on the list.
    public static func contains(_ password: String) -> Bool {
        entries.contains(password.lowercased())
    }
}
