/// Why an account change conflicts with the stored state (the handlers answer 409).
public enum AccountConflict: Error, Sendable, Equatable {
    /// Another account has this username.
    case usernameTaken
    /// Another account has this email address.
    case emailTaken
    /// The password hash changed since it was verified (a concurrent password change won).
    case passwordChanged
}
