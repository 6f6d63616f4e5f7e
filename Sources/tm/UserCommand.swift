import ArgumentParser
import Foundation
import Models
import PostgresClient
import Security

#if canImport(Glibc)
import Glibc
#endif

/// `tm user`: account administration from the command line.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage user accounts (bootstrap the first admin).",
        subcommands: [Create.self])

    /// `tm user create`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a user account.",
            discussion: """
                The password is never taken from a flag (it would end up in shell history and in \
                the process list): it is read from the first line of standard input, or prompted \
                for twice without echo when standard input is a terminal. It must satisfy the \
                password policy (8–128 characters with upper- and lower-case letters and a digit, \
                not common, not the username).

                Example: printf '%s\\n' "$PASSWORD" | tm user create --username alice --email alice@example.com --role admin
                """)

        @Option(help: "3–50 of A–Z a–z 0–9 _ . - (stored lower-cased).")
        var username: String

        @Option(help: "The email address (stored lower-cased).")
        var email: String

        @Option(help: "admin, user, analyst or viewer.")
        var role: String = "user"

        @Option(help: "The display name.")
        var fullName: String?

        func validate() throws {
            guard Role(rawValue: role) != nil else {
                throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() throws {
            let settings = Startup.settings()
            let password = try readPassword()
            let issues = AccountValidation.validate(username: username, email: email, password: password)
            guard issues.isEmpty else {
                for issue in issues { FileHandle.standardError.write(Data("tm user create: \(issue)\n".utf8)) }
                throw ExitCode(1)
            }
            do {
                let database = Database(url: settings.databaseURL)
                let hash = try PasswordHasher().hash(password: password)
                let user = try UserStore(database: database).insert(
                    .init(username: username, email: email, fullName: fullName, passwordHash: hash, role: Role(rawValue: role) ?? .user))
                try AuditLog(database: database).record(
                    "user.create", userID: user.id,
                    origin: .init(requestID: nil, clientAddress: nil),
                    details: ["source": "cli", "role": user.role.rawValue])
                print("created user \(user.id) \(user.username) <\(user.email)> role \(user.role.rawValue)")
            } catch let conflict as AccountConflict {
                let what = conflict == .emailTaken ? "email" : "username"
                FileHandle.standardError.write(Data("tm user create: that \(what) is already taken\n".utf8))
                throw ExitCode(1)
            } catch let error as DatabaseError {
                FileHandle.standardError.write(Data("tm user create: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }

        /// The password from a no-echo prompt (twice) on a terminal, else the first line of stdin.
        func readPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1 {
                let first = try prompt("Password: ")
                let second = try prompt("Repeat password: ")
                guard first == second else {
                    FileHandle.standardError.write(Data("tm user create: the passwords differ\n".utf8))
                    throw ExitCode(1)
                }
                return first
            }
            guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
                FileHandle.standardError.write(Data("tm user create: no password on standard input\n".utf8))
                throw ExitCode(1)
            }
            return line
        }

        private func prompt(_ text: String) throws -> String {
            FileHandle.standardError.write(Data(text.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
            defer {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
            return Swift.readLine(strippingNewline: true) ?? ""
        }
    }
}
