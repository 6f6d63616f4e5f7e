import Foundation
import TestSupport
import Testing

/// `tm user create` and the audit trail it and the API leave.
@Suite struct UserCommandTests {
    let fx: AuthFixtures
    init() throws { fx = try AuthFixtures() }

    func tm(_ arguments: [String], stdin: String) throws -> (status: Int32, output: String) {
        try TestStack.run(
            ["sh", "-c", "printf '%s' \"$IN\" | \"$TM_BIN\" \"$@\"", "sh"] + arguments,
            environment: ["IN": stdin, "TM_BIN": fx.stack.binary, "TM_ENV_FILE": fx.stack.envFile])
    }

    @Test func helpDescribesThePasswordSource() throws {
        let result = try tm(["user", "create", "--help"], stdin: "")
        #expect(result.status == 0)
        #expect(result.output.contains("--username"))
        #expect(result.output.contains("standard input"))
    }

    @Test func promptsTwiceWithoutEchoOnATerminal() throws {
        // A real pseudo-terminal: the password is typed after each prompt and must not be echoed.
        let name = AuthFixtures.uniqueName("tty")
        let password = "Typed-Horse-\(Int.random(in: 100...999))"
        let driver = """
            import os, pty, sys, time
            binary, name, password = sys.argv[1:4]
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(binary, [binary, "user", "create", "--username", name, "--email", name + "@example.com", "--role", "viewer"])
            seen = b""
            def read_until(marker, deadline):
                global seen
                while marker not in seen and time.time() < deadline:
                    try:
                        seen += os.read(fd, 1024)
                    except OSError:
                        break
            # Generous deadlines (a loaded machine starts the binary slowly); a prompt that never
            # comes ends the child below instead of leaving it waiting for input.
            read_until(b"Password:", time.time() + 60)
            os.write(fd, password.encode() + b"\\n")
            read_until(b"Repeat", time.time() + 60)
            os.write(fd, password.encode() + b"\\n")
            end = time.time() + 20
            while time.time() < end:
                try:
                    chunk = os.read(fd, 1024)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            end = time.time() + 60
            while True:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                if time.time() > end:
                    os.kill(pid, 9)
                    _, status = os.waitpid(pid, 0)
                    break
                time.sleep(0.1)
            sys.stdout.write(seen.decode(errors="replace"))
            sys.exit(os.waitstatus_to_exitcode(status))
            """
        let result = try TestStack.run(
            ["python3", "-c", driver, fx.stack.binary, name, password],
            environment: ["TM_ENV_FILE": fx.stack.envFile])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("Password:") && result.output.contains("Repeat"), "\(result.output)")
        #expect(!result.output.contains(password), "the password was echoed: \(result.output)")
        let tokens = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": name, "password": password])
        #expect(tokens.status == 200)
    }

    @Test func createsAnAdminThatCanLogIn() throws {
        let admin = try fx.createWithCLI(role: "admin")
        let tokens = try fx.login(admin)
        let me = try fx.client.send("GET", "/api/v1/auth/me", headers: tokens.bearer)
        #expect(me.json["role"] as? String == "admin")
    }

    @Test func refusesWeakPasswordsBadRolesDuplicatesAndEmptyInput() throws {
        let name = AuthFixtures.uniqueName("cli")
        let weak = try tm(["user", "create", "--username", name, "--email", "\(name)@example.com"], stdin: "password\n")
        #expect(weak.status == 1)
        #expect(weak.output.contains("/password"))
        #expect(!weak.output.contains("password\n\n"))
        let role = try tm(["user", "create", "--username", name, "--email", "\(name)@example.com", "--role", "root"], stdin: "Correct-Horse-42\n")
        #expect(role.status != 0)
        let empty = try tm(["user", "create", "--username", name, "--email", "\(name)@example.com"], stdin: "")
        #expect(empty.status == 1)
        let existing = try fx.register()
        let duplicate = try tm(
            ["user", "create", "--username", existing.username.uppercased(), "--email", "x_\(name)@example.com"], stdin: "Correct-Horse-42\n")
        #expect(duplicate.status == 1)
        #expect(duplicate.output.contains("already taken"))
    }

    @Test func securityEventsAreAuditedWithoutSecrets() throws {
        defer { try? fx.resetAddressThrottle() }
        let account = try fx.register()
        let tokens = try fx.login(account)
        _ = try fx.client.send("POST", "/api/v1/auth/login", json: ["username": account.username, "password": "Wrong-Password-1"])
        let refreshed = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh])
        let next = try AuthFixtures.tokens(from: refreshed.json)
        _ = try fx.client.send("POST", "/api/v1/auth/refresh", json: ["refresh_token": tokens.refresh])
        let again = try fx.login(account)
        let key = try fx.client.send("POST", "/api/v1/auth/api-keys", headers: again.bearer, json: ["name": "audit"])
        let keyID = try #require(key.json["id"] as? Int)
        _ = try fx.client.send("DELETE", "/api/v1/auth/api-keys/\(keyID)", headers: again.bearer)
        _ = try fx.client.send(
            "POST", "/api/v1/auth/change-password", headers: again.bearer,
            json: ["current_password": account.password, "new_password": "Another-Horse-77"])
        _ = try fx.client.send("POST", "/api/v1/auth/logout", headers: again.bearer)

        let result = try TestStack.run([
            "psql", fx.stack.databaseURL, "-tAc",
            "SELECT event || ' ' || details::text FROM audit_events WHERE user_id = \(account.id) ORDER BY id",
        ])
        #expect(result.status == 0)
        let events = result.output.split(separator: "\n").map { String($0.split(separator: " ").first ?? "") }
        #expect(
            events == [
                "user.register", "login.success", "login.failure", "refresh.reuse", "login.success",
                "api_key.create", "api_key.revoke", "password.change", "logout",
            ])
        for secret in [
            account.password, "Another-Horse-77", tokens.refresh, tokens.access, next.refresh, key.json["key"] as? String ?? "-", "argon2",
        ] {
            #expect(!result.output.contains(secret))
        }
        // The pool's log never carries a token, a key or a password either.
        let log = (try? String(contentsOfFile: fx.stack.state + "/log/tm.log", encoding: .utf8)) ?? ""
        for secret in [account.password, tokens.refresh, tokens.access, key.json["key"] as? String ?? "-"] {
            #expect(!log.contains(secret))
        }
        #expect(log.contains("\"user_id\":\"\(account.id)\""))
    }
}
