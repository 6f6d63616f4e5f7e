/// A real-time channel: `user:{id}`, `run:{id}`, `job:{id}` or `training:{id}`, the names
/// nginx's subscriber and publisher locations accept.
public struct RealtimeChannel: Sendable, Hashable, CustomStringConvertible {
    /// What the channel is about.
    public enum Kind: String, Sendable, CaseIterable {
        case user, run, job, training
    }

    /// What the channel is about.
    public var kind: Kind
    /// The id of the user, run, job or training.
    public var id: Int64

    /// The channel `kind:id`.
    public init(kind: Kind, id: Int64) {
        self.kind = kind
        self.id = id
    }

    /// Parses `kind:id` with a positive decimal id (no sign, no leading zero, as nginx's
    /// locations require); nil otherwise.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let digits = text[text.index(after: colon)...]
        guard let first = digits.first, first != "0", digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let id = Int64(digits), id > 0
        else { return nil }
        self.init(kind: kind, id: id)
    }

    /// `kind:id`.
    public var description: String { "\(kind.rawValue):\(id)" }
}
