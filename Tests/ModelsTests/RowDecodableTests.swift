import Foundation
import Support
import Testing

@testable import JobRuntime
@testable import Models
@testable import PostgresClient

/// `Row.decode(as:)`: a `Decodable` type read column by column, with the same errors as the
/// hand-written decoders it replaced.
@Suite struct RowDecodableTests {
    func row(_ pairs: [(String, String?)]) -> Row {
        Row(columns: Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($0.element.0, $0.offset) }), values: pairs.map(\.1))
    }

    var userColumns: [(String, String?)] {
        [
            ("id", "7"), ("username", "alice"), ("email", "alice@example.com"), ("full_name", nil), ("role", "analyst"),
            ("is_active", "t"), ("created_at", "2026-03-01 14:30:00+00"), ("updated_at", "2026-03-02 09:00:00.5+00"),
            ("last_login_at", nil), ("version", "3"),
        ]
    }

    @Test func propertyNamesMapToSnakeCaseColumns() {
        #expect(Row.column(forProperty: "id") == "id")
        #expect(Row.column(forProperty: "createdAt") == "created_at")
        #expect(Row.column(forProperty: "ownerID") == "owner_id")
        #expect(Row.column(forProperty: "cancelRequestedAt") == "cancel_requested_at")
        #expect(Row.column(forProperty: "userIDHash") == "user_id_hash")
        #expect(Row.column(forProperty: "etaSeconds") == "eta_seconds")
    }

    @Test func decodesEveryColumnAndNullsAsNil() throws {
        let user = try row(userColumns).decode(as: User.self)
        #expect(user.id == 7 && user.username == "alice" && user.email == "alice@example.com")
        #expect(user.fullName == nil && user.lastLoginAt == nil)
        #expect(user.role == .analyst && user.isActive && user.version == 3)
        #expect(user.createdAt == Date(timeIntervalSince1970: 1_772_375_400))
        #expect(user.updatedAt == Date(timeIntervalSince1970: 1_772_442_000.5))
    }

    @Test func aMissingColumnIsAnErrorAlsoForAnOptionalProperty() {
        for missing in ["email", "full_name"] {
            #expect(throws: DatabaseError.self, "\(missing)") { try row(userColumns.filter { $0.0 != missing }).decode(as: User.self) }
        }
    }

    @Test func nullInARequiredPropertyOrUnparsableTextIsAnError() {
        for (column, value) in [("email", nil), ("role", "superuser"), ("id", "x"), ("is_active", "maybe"), ("created_at", "yesterday")] {
            let broken = userColumns.map { $0.0 == column ? (column, value) : $0 }
            #expect(throws: DatabaseError.self, "\(column)") { try row(broken).decode(as: User.self) }
        }
    }

    @Test func aJobDecodesWithAcronymsAndJSONColumns() throws {
        let job = try row([
            ("id", "1"), ("kind", "diag.noop"), ("owner_id", "9"), ("payload", "{\"a\":1}"), ("status", "running"),
            ("priority", "0"), ("run_after", "2026-03-01 00:00:00+00"), ("attempts", "1"), ("max_attempts", "3"), ("crashes", "0"),
            ("progress", "0.25"), ("message", nil), ("result", nil), ("error", nil), ("errors", "[]"), ("cancel_requested_at", nil),
            ("lease_owner", "host:1:ab"), ("lease_expires_at", nil), ("heartbeat_at", nil), ("created_at", "2026-03-01 00:00:00+00"),
            ("started_at", nil), ("finished_at", nil), ("updated_at", "2026-03-01 00:00:00+00"), ("status_version", "2"),
        ]).decode(as: Job.self)
        #expect(job.ownerID == 9 && job.status == .running && job.progress == 0.25 && job.leaseOwner == "host:1:ab")
        #expect(job.payload == JSONDocument.object(["a": .integer(1)]) && job.maxAttempts == 3 && job.statusVersion == 2)
    }
}
