import Testing

@testable import Configuration
@testable import Models
@testable import RedisClient

@Suite struct SettingsTests {
    let goodKey = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345"

    @Test func defaultsFollowTheOriginalDesign() throws {
        let settings = try Settings(["SECRET_KEY": goodKey])
        #expect(settings.debug == false)
        #expect(settings.redisURL == "redis://localhost:6379/0")
        #expect(settings.tradeMasterURL == "http://localhost:8080")
        #expect(settings.workers == 2 && settings.threads == 4 && settings.maxRequests == 0)
        #expect(settings.accessTokenExpireMinutes == 30 && settings.refreshTokenExpireDays == 7)
        #expect(settings.logLevel == "info")
        #expect(settings.diagnostics == false)
        #expect(settings.workerConcurrency == 4 && settings.jobLeaseSeconds == 30 && settings.jobPollMilliseconds == 5000)
        #expect(settings.jobBackoffMilliseconds == 1000 && settings.jobRetentionDays == 30 && settings.workerShutdownTimeout == 30)
        #expect(settings.syncMaxBars == 500_000)
        #expect(try Settings(["SECRET_KEY": goodKey, "TM_SYNC_MAX_BARS": "1000"]).syncMaxBars == 1000)
    }

    @Test func secretKeyIsRequiredOutsideDebug() {
        #expect(throws: SettingsError(variable: "SECRET_KEY", reason: "is required when DEBUG is false (generate one with: openssl rand -hex 32)")) {
            try Settings([:])
        }
        let debug = try? Settings(["DEBUG": "true"])
        #expect(debug?.secretKey == Settings.debugSecretKey)
    }

    @Test(arguments: [
        "short", "change-me-change-me-change-me-change-me", "your-secret-key-here-0123456789abcdef",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "example-key-0123456789abcdef0123456789",
    ])
    func weakKeysStopStartup(key: String) {
        #expect(throws: SettingsError.self) { try Settings(["SECRET_KEY": key]) }
        #expect((try? Settings(["SECRET_KEY": key, "DEBUG": "true"])) != nil, "debug mode accepts any key")
    }

    @Test func invalidValuesNameTheirVariable() {
        let cases: [(String, String)] = [
            ("DEBUG", "maybe"), ("TM_WORKERS", "0"), ("TM_THREADS", "lots"),
            ("REDIS_URL", "http://x"), ("DATABASE_URL", "mysql://x/y"),
            ("TRADEMASTER_API_URL", "ftp://x"), ("LOG_LEVEL", "loud"),
            ("TM_SOCKET_MODE", "999"), ("ACCESS_TOKEN_EXPIRE_MINUTES", "-1"),
            ("TM_WORKER_CONCURRENCY", "0"), ("TM_JOB_LEASE_SECONDS", "soon"),
            ("TM_JOB_POLL_MS", "5"), ("TM_JOB_RETENTION_DAYS", "0"),
            ("TM_SYNC_MAX_BARS", "-1"),
        ]
        for (name, value) in cases {
            do {
                _ = try Settings(["SECRET_KEY": goodKey, name: value])
                Issue.record("\(name)=\(value) was accepted")
            } catch let error as SettingsError {
                #expect(error.variable == name)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }

    @Test func anInvalidURLIsNamedWithoutItsPassword() {
        for url in [
            "mysql://alice:s3cret-pw@db:5432/tm", "postgres//alice:s3cret-pw@db", "alice:s3cret-pw@db:5432",
            // libpq refuses these, and its messages quote the URI.
            "postgresql://alice:s3cret-pw@db:5432/tm?sslmode=%zz",
            "postgresql://alice:s3cret-pw@[::1/tm",
        ] {
            do {
                _ = try Settings(["SECRET_KEY": goodKey, "DATABASE_URL": url])
                Issue.record("accepted \(url)")
            } catch {
                #expect(!"\(error)".contains("s3cret"), "\(error)")
                #expect("\(error)".contains("DATABASE_URL"))
            }
        }
        #expect(Settings.redacted("mysql://alice:s3cret@db:5432/tm") == "mysql://alice:****@db:5432/tm")
        #expect(Settings.redacted("redis://:pw@host:6379/0") == "redis://:****@host:6379/0")
        #expect(Settings.redacted("postgresql://host/db") == "postgresql://host/db")
    }

    @Test func dotEnvParsing() throws {
        let values = try Settings.parseDotEnv(
            """
            # comment
            export DEBUG=true
            SECRET_KEY="quoted value"
            REDIS_URL = redis://h:1/2  # trailing comment
            EMPTY=
            """)
        #expect(values == ["DEBUG": "true", "SECRET_KEY": "quoted value", "REDIS_URL": "redis://h:1/2", "EMPTY": ""])
        #expect(throws: SettingsError.self) { try Settings.parseDotEnv("NOEQUALS") }
        #expect(throws: SettingsError.self) { try Settings.parseDotEnv("BAD-NAME=1") }
    }

    @Test func environmentWinsOverDotEnv() throws {
        let path = "/tmp/tm-settings-test-\(UInt32.random(in: 0...UInt32.max)).env"
        try "TM_WORKERS=7\nTM_THREADS=3\nSECRET_KEY=\(goodKey)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let settings = try Settings.load(environment: ["TM_WORKERS": "5"], envFile: path)
        #expect(settings.workers == 5)
        #expect(settings.threads == 3)
    }

    @Test func redisURLs() {
        #expect(
            RedisEndpoint(url: "redis://:p%40ss@10.0.0.1:6380/3")
                == RedisEndpoint(address: .tcp(host: "10.0.0.1", port: 6380), password: "p@ss", database: 3))
        #expect(RedisEndpoint(url: "unix:///run/redis.sock?db=2")?.address == .unix(path: "/run/redis.sock"))
        #expect(RedisEndpoint(url: "redis://host/notanumber") == nil)
        #expect(RedisEndpoint(url: "http://host") == nil)
    }
}

extension RedisEndpoint {
    init(address: Address, password: String?, database: Int) {
        self.init(url: "redis://x")!
        self.address = address
        self.password = password
        self.database = database
    }
}

@Suite struct RealtimeSettingsTests {
    let goodKey = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345"

    @Test func realtimeSettings() throws {
        let plain = try Settings(["SECRET_KEY": goodKey])
        #expect(plain.realtimeSecret == nil && plain.realtimePublishSocket == nil)
        #expect(plain.realtimeTicketTTL == 60 && plain.realtimePublishTimeoutMilliseconds == 500)
        #expect(plain.realtimeReplaySeconds == 300)
        #expect(try Settings(["SECRET_KEY": goodKey, "TM_REALTIME_REPLAY_SECONDS": "900"]).realtimeReplaySeconds == 900)
        for bad in ["0", "9", "86401", "5m"] {
            #expect(throws: SettingsError.self, "\(bad)") { try Settings(["SECRET_KEY": goodKey, "TM_REALTIME_REPLAY_SECONDS": bad]) }
        }
        let set = try Settings([
            "SECRET_KEY": goodKey, "TM_REALTIME_SECRET": goodKey, "TM_REALTIME_TICKET_TTL": "30",
            "TM_REALTIME_PUBLISH_SOCKET": "/run/x/publish.sock",
        ])
        #expect(set.realtimeSecret == goodKey && set.realtimeTicketTTL == 30 && set.realtimePublishSocket == "/run/x/publish.sock")
        // Weak, or unsafe inside nginx's double-quoted string: refused.
        for bad in ["short", goodKey + "\"", goodKey + " x", goodKey + ";"] {
            #expect(throws: SettingsError.self, "\(bad)") { try Settings(["SECRET_KEY": goodKey, "TM_REALTIME_SECRET": bad]) }
        }
        #expect(throws: SettingsError.self) { try Settings(["SECRET_KEY": goodKey, "TM_REALTIME_TICKET_TTL": "1"]) }
    }
}

@Suite struct ScaleOutSettingsTests {
    let goodKey = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012345"

    /// Several PostgreSQL hosts, as libpq takes them (URLComponents refused this form).
    @Test func aDatabaseURLWithSeveralHostsIsAccepted() throws {
        let url = "postgresql://tm:pw@10.0.0.1:5432,10.0.0.2:5433/trademaster?target_session_attrs=read-write"
        #expect(try Settings(["SECRET_KEY": goodKey, "DATABASE_URL": url]).databaseURL == url)
        #expect(try Settings(["SECRET_KEY": goodKey, "DATABASE_URL": "postgresql:///tm?host=/run/a,/run/b"]).databaseURL.hasSuffix("/run/b"))
    }

    @Test func sentinelsAreParsed() throws {
        let settings = try Settings([
            "SECRET_KEY": goodKey, "REDIS_URL": "redis://:pw@ignored:6379/2",
            "REDIS_SENTINELS": "10.0.0.1:26379, 10.0.0.2,10.0.0.3:26380", "REDIS_SENTINEL_MASTER": "tm-main",
        ])
        let sentinel = try #require(settings.redis.sentinel)
        #expect(sentinel.nodes.map { "\($0.host):\($0.port)" } == ["10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26380"])
        #expect(sentinel.primaryName == "tm-main" && sentinel.password == nil)
        #expect(settings.redis.password == "pw" && settings.redis.database == 2)
        #expect(try Settings(["SECRET_KEY": goodKey]).redis.sentinel == nil)
    }

    @Test(arguments: [("REDIS_SENTINELS", "a:0"), ("REDIS_SENTINELS", "a:1:2"), ("REDIS_SENTINELS", "a,,b"), ("REDIS_SENTINEL_MASTER", "two words")])
    func badSentinelSettingsNameTheirVariable(name: String, value: String) {
        var environment = ["SECRET_KEY": goodKey, "REDIS_SENTINELS": "127.0.0.1:26379"]
        environment[name] = value
        #expect(throws: SettingsError.self) { try Settings(environment) }
        do { _ = try Settings(environment) } catch let error as SettingsError { #expect(error.variable == name) } catch { Issue.record("\(error)") }
    }
}
