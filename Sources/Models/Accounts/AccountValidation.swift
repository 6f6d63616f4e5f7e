/// Validation of the fields of a new account, all at once.
public enum AccountValidation {
    /// Every issue with `username`, `email` and `password`, in that order, under `/username`,
    /// `/email` and `/password`. Empty means the account may be created (with the values
    /// normalised through `UsernamePolicy.normalized` and `EmailPolicy.normalized`).
    public static func validate(username: String, email: String, password: String) -> [ValidationIssue] {
        UsernamePolicy.validate(username)
            + EmailPolicy.validate(email)
            + PasswordPolicy.validate(password, username: username)
    }
}
