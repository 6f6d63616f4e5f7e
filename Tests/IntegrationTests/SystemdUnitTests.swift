import Foundation
import TestSupport
import Testing

/// The shipped systemd units pass `systemd-analyze verify` with no warning (unknown keys
/// are only warnings, so the output must be empty too).
@Suite struct SystemdUnitTests {
    @Test func unitsVerify() throws {
        let stack = try TestStack.current()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tm-units-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for unit in [
            "trademaster.socket", "trademaster.service", "trademaster-worker@.service", "trademaster-relay.service",
            "trademaster-prune.service", "trademaster-prune.timer",
        ] {
            // The binary is installed at /opt/trademaster/bin/tm in production; point at the built one.
            let text = try String(contentsOfFile: stack.repo + "/systemd/" + unit, encoding: .utf8)
                .replacingOccurrences(of: "/opt/trademaster/bin/tm", with: stack.binary)
            try text.write(toFile: folder + "/" + unit, atomically: true, encoding: .utf8)
        }
        // A template is verified through an instance of it.
        try FileManager.default.copyItem(atPath: folder + "/trademaster-worker@.service", toPath: folder + "/trademaster-worker@1.service")
        let result = try TestStack.run([
            "systemd-analyze", "verify", folder + "/trademaster.socket", folder + "/trademaster.service",
            folder + "/trademaster-worker@1.service", folder + "/trademaster-relay.service",
            folder + "/trademaster-prune.service", folder + "/trademaster-prune.timer",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(result.output)")
        let dropIn = try String(contentsOfFile: stack.repo + "/systemd/nginx-trademaster.conf", encoding: .utf8)
        #expect(dropIn.contains("ExecStart=/usr/sbin/nginx -c /etc/nginx/trademaster/nginx.conf"))
        let worker = try String(contentsOfFile: stack.repo + "/systemd/trademaster-worker@.service", encoding: .utf8)
        #expect(worker.contains("ExecStart=/opt/trademaster/bin/tm worker") && worker.contains("KillSignal=SIGTERM"))
        // Memory (issue 20): the pool and the workers throttle at MemoryHigh below their MemoryMax,
        // and under host-wide pressure the kernel kills one of them, never PostgreSQL.
        for unit in ["trademaster.service", "trademaster-worker@.service"] {
            let lines = try String(contentsOfFile: stack.repo + "/systemd/" + unit, encoding: .utf8).split(separator: "\n")
            func value(_ key: String) -> String? {
                lines.last { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
            }
            let oom = value("OOMScoreAdjust").flatMap { Int($0) } ?? 0
            #expect(oom >= 500 && oom <= 1000, "\(unit): OOMScoreAdjust=\(value("OOMScoreAdjust") ?? "unset")")
            let high = value("MemoryHigh").flatMap(Self.bytes)
            let max = value("MemoryMax").flatMap(Self.bytes)
            #expect(
                high != nil && max != nil && high! < max!, "\(unit): MemoryHigh \(String(describing: high)), MemoryMax \(String(describing: max))")
        }
        let relay = try String(contentsOfFile: stack.repo + "/systemd/trademaster-relay.service", encoding: .utf8)
        #expect(relay.contains("ExecStart=/opt/trademaster/bin/tm relay") && relay.contains("Restart=always"))
        // Housekeeping: a oneshot that reads the settings file itself (no EnvironmentFile=),
        // hardened like the others, started daily by its timer.
        let prune = try String(contentsOfFile: stack.repo + "/systemd/trademaster-prune.service", encoding: .utf8)
        for line in [
            "Type=oneshot", "User=trademaster", "Environment=TM_ENV_FILE=/etc/trademaster/env",
            "ExecStart=/opt/trademaster/bin/tm prune", "NoNewPrivileges=yes", "ProtectSystem=strict", "CapabilityBoundingSet=",
        ] {
            #expect(prune.split(separator: "\n").contains(Substring(line)), "trademaster-prune.service lacks \(line)")
        }
        #expect(!prune.contains("EnvironmentFile="))
        let timer = try String(contentsOfFile: stack.repo + "/systemd/trademaster-prune.timer", encoding: .utf8)
        for line in ["OnCalendar=daily", "Persistent=true", "WantedBy=timers.target"] {
            #expect(timer.split(separator: "\n").contains(Substring(line)), "trademaster-prune.timer lacks \(line)")
        }
        #expect(timer.contains("RandomizedDelaySec="))
    }

    /// `1536M`, `2G`: bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
        guard let last = text.last else { return nil }
        if let unit = units[last] { return Int(text.dropLast()).map { $0 * unit } }
        return Int(text)
    }
}
