import Foundation

/// Child processes started with `posix_spawn` and reaped with `waitpid`. Foundation's
/// `Process` is not used: it tracks a child through an inherited descriptor, so a daemon
/// (nginx) or a grandchild keeps it "running" forever.
public enum Subprocess {
    /// Starts `arguments` (found on PATH) with `environment`, output appended to `outputPath`.
    /// The child starts with an empty signal mask and default dispositions: the test runner's
    /// threads block signals, and a child that inherited that mask ignored SIGTERM (a test's
    /// `python3 -m http.server` outlived the suite, holding whatever descriptors it inherited).
    public static func spawn(_ arguments: [String], environment: [String: String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        var all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard rc == 0 else { throw TestHTTPError(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// The exit status of `pid` (128 + signal when killed), or nil if it is still running after `seconds`.
    public static func wait(_ pid: pid_t, seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if result < 0 { return -1 }
            if Date() >= deadline { return nil }
            usleep(10_000)
        }
    }
}
