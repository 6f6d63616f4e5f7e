import Foundation
import JobRuntime
import Metrics
import Models
import Realtime
import TMFcgi

/// `POST /api/v1/realtime/tickets`: signed subscribe URLs for the caller's channels, which
/// nginx (nchan) checks itself when a WebSocket or EventSource client connects; and
/// `GET /_tm/realtime/claim`, nginx's `auth_request` at that moment, which spends the ticket
/// (each opens one connection).
public struct RealtimeHandlers: Sendable {
    let access: RealtimeAccess
    let signer: RealtimeSigner
    let ledger: RealtimeTicketLedger
    let metrics: MetricsRegion?

    /// The FastCGI parameter nginx's claim location (and only it) sets to `1`; its others are
    /// `TM_RT_CHANNEL`, `TM_RT_EXPIRES`, `TM_RT_TID` and `TM_RT_SIG`.
    public static let claimParameter = "TM_REALTIME_CLAIM"

    /// The most channels one request may ask for.
    static let maximumChannels = 20

    /// Handlers checking ownership through `access`, signing with `signer` and spending
    /// tickets in `ledger`.
    public init(access: RealtimeAccess, signer: RealtimeSigner, ledger: RealtimeTicketLedger, metrics: MetricsRegion? = nil) {
        self.access = access
        self.signer = signer
        self.ledger = ledger
        self.metrics = metrics
    }

    /// `GET /_tm/realtime/claim` from nginx: verifies the ticket once more and spends it
    /// (Redis `SET NX` for its remaining lifetime). 403 for a bad or used ticket; 503 (which
    /// nginx turns into a refusal) when Redis cannot say.
    public func claim(_ request: Request, _ context: AppContext) throws -> NoContent {
        let p = request.serverParameters
        guard p[Self.claimParameter] == "1" else { throw Problem(.notFound, detail: "No route for \(request.path).") }
        guard let channel = p["TM_RT_CHANNEL"].flatMap(RealtimeChannel.init), let expires = p["TM_RT_EXPIRES"].flatMap({ Int64($0) }),
            let ticketID = p["TM_RT_TID"], let signature = p["TM_RT_SIG"],
            signer.verify(channel: channel, expires: expires, ticketID: ticketID, signature: signature)
        else {
            throw Problem(.forbidden, detail: "The ticket is missing, invalid or expired.")
        }
        guard try ledger.claim(ticketID, expires: expires) else {
            throw Problem(.forbidden, detail: "The ticket was already used: ask for a new one.")
        }
        return NoContent()
    }

    /// The body: the channels to subscribe to.
    struct Draft: Decodable {
        var channels: [String]
    }

    /// One channel's subscribe URLs.
    public struct Ticket: Codable, Sendable {
        /// The channel as events name it (`user` becomes `user:{id}`).
        public var channel: String
        /// The WebSocket path (with the signature).
        public var websocketUrl: String
        /// The EventSource path: the same URL.
        public var eventsourceUrl: String
        /// Until when it may be used to connect.
        public var expiresAt: Date
    }

    /// The answer.
    public struct Tickets: Codable, ResponseEncodable, Sendable {
        /// One per distinct channel, in the order asked.
        public var tickets: [Ticket]
    }

    /// `POST /api/v1/realtime/tickets`: 422 for a malformed or unsupported channel, 404 when
    /// any channel is not the caller's, else one ticket per distinct channel.
    public func create(_ request: Request, _ context: AuthenticatedContext) throws -> Tickets {
        let principal = context.principal
        let body = try request.decode(Draft.self)
        var errors: [FieldError] = []
        if body.channels.isEmpty || body.channels.count > Self.maximumChannels {
            errors.append(FieldError(pointer: "/channels", detail: "must name 1 to \(Self.maximumChannels) channels"))
        }
        var channels: [RealtimeChannel] = []
        for (index, text) in body.channels.prefix(Self.maximumChannels).enumerated() {
            let channel = text == "user" ? RealtimeChannel(kind: .user, id: principal.userID) : RealtimeChannel(text)
            guard let channel else {
                errors.append(
                    FieldError(
                        pointer: "/channels/\(index)",
                        detail: "must be user, user:{id}, run:{id}, job:{id} or training:{id}, not \"\(text.prefix(40))\""))
                continue
            }
            if !channels.contains(channel) { channels.append(channel) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The channels are invalid.") }
        for channel in channels where try !access.allows(channel, user: principal.userID, admin: principal.role == .admin) {
            throw Problem(.notFound, detail: "No channel \(channel).")
        }
        let now = Date()
        let tickets = try channels.map { channel in
            let ticket = try signer.ticket(for: channel, now: now)
            return Ticket(channel: channel.description, websocketUrl: ticket.path, eventsourceUrl: ticket.path, expiresAt: ticket.expiresAt)
        }
        metrics?.add(MetricCatalog.realtimeTickets, UInt64(tickets.count))
        return Tickets(tickets: tickets)
    }
}
