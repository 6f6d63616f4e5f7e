// swift-tools-version:6.0
// TradeMaster Web Backend: a FastCGI worker pool under nginx, PostgreSQL and Redis.
import PackageDescription

let logging = Target.Dependency.product(name: "Logging", package: "swift-log")

let package = Package(
    name: "TradeMaster",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tm", targets: ["tm"]),
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
        // Pure analytics: no I/O, no C.
        .target(name: "Quant"),
        // Crypto primitives: hashes, HMAC, JWT, Argon2id, constant-time comparison.
        .target(name: "Security", dependencies: ["COpenSSL", "CArgon2"]),
        // The FastCGI pool, request pipeline, router and RFC 9457 problems.
        .target(name: "TMFcgi", dependencies: ["CFastCGI", "Security", "Metrics", "CAtomic", logging]),
        // Domain types, validation and persistence (libpq, hiredis).
        .target(name: "Models", dependencies: ["CLibPQ", "CHiredis", "CCurl", "Security", "Quant", "Metrics", logging], exclude: ["Accounts/Resources"]),
        // The HTTP API.
        .target(name: "Handlers", dependencies: ["TMFcgi", "Models", "Quant", "Security", "Metrics", "CZlib", logging]),
        // Composition root.
        .executableTarget(name: "tm", dependencies: [
            "Handlers", "TMFcgi", "Models", "Quant", "Security", "Metrics", logging,
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmark of the analytics engine (bench/quant/run compares it with Python references).
        .executableTarget(name: "quant-bench", dependencies: ["Quant"], path: "bench/quant/Sources"),

        // Shared helpers for tests: environment of the test stack, a raw HTTP client.
        .target(name: "TestSupport", dependencies: ["Security"], path: "Tests/TestSupport"),
        .testTarget(name: "QuantTests", dependencies: ["Quant"], resources: [.copy("Fixtures")]),
        .testTarget(name: "SecurityTests", dependencies: ["Security"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics"]),
        .testTarget(name: "TMFcgiTests", dependencies: ["TMFcgi"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "HandlersTests", dependencies: ["Handlers", "TMFcgi", "Models", "Security", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "Security", "Quant"]),
    ]
)
