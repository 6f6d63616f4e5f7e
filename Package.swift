// swift-tools-version:6.1
// TradeMaster Web Backend: a FastCGI worker pool under nginx, PostgreSQL and Redis.
import PackageDescription

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

let package = Package(
    name: "TradeMaster",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tm", targets: ["tm"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CHiredis", pkgConfig: "hiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Atomics on shared memory (C11 builtins), for Metrics.
        .target(name: "CAtomic"),
        // Counters and histograms shared by every process of the pool; Prometheus text.
        .target(name: "Metrics", dependencies: ["CAtomic"]),
        // The crash record of `tm worker`: an async-signal-safe note of the job a crashing thread ran.
        .target(name: "CCrashRecord"),
        // Separator search in 64-byte blocks (SSE2/NEON intrinsics), for Quant's CSV rows.
        .target(name: "CByteScan"),
        // Pure analytics: no I/O; C only for CByteScan's intrinsics.
        .target(name: "Quant", dependencies: ["Support", "CByteScan"]),
        // Crypto primitives: hashes, HMAC, JWT, Argon2id, constant-time comparison.
        .target(name: "Security", dependencies: ["COpenSSL", "CArgon2"]),
        // The FastCGI pool, request pipeline, router and RFC 9457 problems.
        .target(name: "TMFcgi", dependencies: ["CFastCGI", "CZlib", "Security", "Metrics", "CAtomic", "Support", logging]),
        // Small helpers shared by the clients, TMFcgi and Quant: per-thread values, socket probes, a JSON value, the civil calendar.
        .target(name: "Support"),
        // The libpq client: connections, typed SQL with bind parameters, COPY, LISTEN, the migrator.
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "Support", "Metrics", "Quant", "Security"]),
        // The hiredis client.
        .target(name: "RedisClient", dependencies: ["CHiredis", "Support", "Metrics"]),
        // The libcurl HTTP client.
        .target(name: "CurlHTTP", dependencies: ["CCurl"]),
        // The TradeMaster service's client: its contract, circuit breaker and logs.
        .target(name: "TradeMasterAPI", dependencies: ["CurlHTTP", "Support"]),
        // Events, the real-time bus on Redis, the publisher, the relay to nchan and the signer.
        .target(name: "Realtime", dependencies: ["RedisClient", "CurlHTTP", "Security", "Metrics", "Support", logging]),
        // The job queue in PostgreSQL and the `tm worker` runtime.
        .target(name: "JobRuntime", dependencies: ["PostgresClient", "Realtime", "Support", "Metrics", "CCrashRecord", logging]),
        // Domain types, validation, stores and services; no C module and nothing of HTTP.
        .target(
            name: "Models",
            dependencies: [
                "PostgresClient", "RedisClient", "JobRuntime", "Realtime", "TradeMasterAPI", "CurlHTTP", "Support",
                "Security", "Quant", "Metrics", logging,
            ], exclude: ["Accounts/Resources"], plugins: ["EmbedCommonPasswords"]),
        // Build tool: a text file as a Swift string literal (the common-password list).
        .executableTarget(name: "embed-text"),
        .plugin(name: "EmbedCommonPasswords", capability: .buildTool(), dependencies: ["embed-text"]),
        // Settings from the environment, for the composition root and the API.
        .target(name: "Configuration", dependencies: ["Models", "PostgresClient", "RedisClient", "Realtime", "TradeMasterAPI", "Metrics", logging]),
        // The HTTP API.
        .target(
            name: "Handlers",
            dependencies: [
                "TMFcgi", "Models", "Configuration", "PostgresClient", "RedisClient", "JobRuntime", "Realtime", "TradeMasterAPI",
                "CurlHTTP", "Support", "Quant", "Security", "Metrics", logging,
            ]),
        // Composition root.
        .executableTarget(
            name: "tm",
            dependencies: [
                "Handlers", "TMFcgi", "Models", "Configuration", "PostgresClient", "RedisClient", "JobRuntime", "Realtime",
                "TradeMasterAPI", "CurlHTTP", "Support", "Quant", "Security", "Metrics", logging,
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Benchmark of the analytics engine (bench/quant/run compares it with Python references).
        .executableTarget(name: "quant-bench", dependencies: ["Quant", "Support"], path: "bench/quant/Sources"),

        // Shared helpers for tests: environment of the test stack, a raw HTTP client.
        .target(name: "TestSupport", dependencies: ["Security"], path: "Tests/TestSupport"),
        // The fuzz targets: one `([UInt8]) -> Void` per parser or engine, over the production code paths.
        // `scripts/fuzz` runs them under libFuzzer; HandlersTests replays their corpus and regressions.
        .target(
            name: "FuzzTargets", dependencies: ["Handlers", "TMFcgi", "Models", "Quant", "Security", "Support"], path: "Tests/FuzzTargets"),
        .testTarget(name: "QuantTests", dependencies: ["Quant", "Support"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SecurityTests", dependencies: ["Security"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "TMFcgiTests", dependencies: ["TMFcgi"]),
        .testTarget(
            name: "ModelsTests",
            dependencies: [
                "Models", "Configuration", "PostgresClient", "RedisClient", "JobRuntime", "Realtime", "TradeMasterAPI", "CurlHTTP",
                "Support", "TestSupport",
            ]),
        .testTarget(
            name: "HandlersTests",
            dependencies: [
                "Handlers", "TMFcgi", "Models", "Configuration", "PostgresClient", "RedisClient", "JobRuntime", "Quant", "Security",
                "TestSupport", "FuzzTargets", logging,
            ]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Security", "Quant", "Support", "Realtime", "RedisClient", logging]),
    ]
)

// The libFuzzer driver exists only in `scripts/fuzz`'s build (TM_FUZZ=1, its own scratch path):
// the Swift library targets get libFuzzer's coverage and AddressSanitizer, and the driver links
// libFuzzer's runtime. Per target, not `-Xswiftc`, so build tools (embed-text) keep their `main`.
if Context.environment["TM_FUZZ"] == "1" {
    let sanitize = SwiftSetting.unsafeFlags(["-sanitize=fuzzer,address"])
    for target in package.targets where target.type == .regular && !["CAtomic", "CByteScan"].contains(target.name) {
        target.swiftSettings = (target.swiftSettings ?? []) + [sanitize]
    }
    package.targets.append(
        .executableTarget(
            name: "tm-fuzz", dependencies: ["FuzzTargets"], path: "Tests/FuzzDriver", swiftSettings: [sanitize],
            linkerSettings: [.unsafeFlags(["-sanitize=fuzzer,address"])]))
}
