import Foundation
import TestSupport
import Testing

/// The Python client (`clients/python`) against the live stack: its pytest suite, run from
/// the fresh virtualenv `scripts/test` made (`TM_TEST_CLIENT_VENV`, the client installed
/// with `pip install ./clients/python`), through nginx, with a `tm worker` for its jobs.
/// A failure shows pytest's report; a missing venv or a skipped test is a failure too.
@Suite(.serialized) struct PythonClientTests {
    let stack: TestStack
    let venv: String

    init() throws {
        stack = try TestStack.current()
        guard let venv = ProcessInfo.processInfo.environment["TM_TEST_CLIENT_VENV"], !venv.isEmpty else {
            throw TestStack.Missing(description: "TM_TEST_CLIENT_VENV is not set: run the suite with ./scripts/test")
        }
        self.venv = venv
    }

    @Test func pytestPassesAgainstTheLiveStack() throws {
        let worker = try TestWorker(stack: stack, concurrency: 2)
        defer { worker.stop() }
        try worker.waitUntilListening()
        let result = try TestStack.run(
            [
                venv + "/bin/python", "-m", "pytest", stack.repo + "/clients/python/tests", "-p", "no:cacheprovider", "-rfEs",
                "--color=no", "-q",
            ],
            environment: ["TM_TEST_BASE_URL": stack.baseURL, "TM_TEST_BIN": stack.binary])
        try? result.output.write(toFile: stack.state + "/log/python-client.log", atomically: true, encoding: .utf8)
        #expect(result.status == 0, "\(String(result.output.suffix(12_000)))")
        // The summary line, e.g. "14 passed in 9.81s": everything passed, nothing skipped.
        let summary = result.output.split(separator: "\n").last.map(String.init) ?? ""
        #expect(summary.contains(" passed"), "\(summary)")
        for word in ["skipped", "failed", "error", "xfail", "deselected"] {
            #expect(!summary.contains(word), "\(summary)")
        }
    }
}
