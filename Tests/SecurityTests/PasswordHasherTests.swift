import Foundation
import Synchronization
import Testing

@testable import Security

@Suite struct PasswordHasherTests {
    /// Cheap parameters for the tests that only check behaviour.
    static let cheap = PasswordHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))

    @Test func owaspParametersProduceTheStandardEncodingAndVerify() throws {
        let hasher = PasswordHasher()
        #expect(hasher.parameters == .owasp)
        let encoded = try hasher.hash(password: "Correct Horse 9")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 5)
        #expect(fields[3].count == 22)  // 16-byte salt, unpadded base64
        #expect(fields[4].count == 43)  // 32-byte hash
        #expect(hasher.verify(password: "Correct Horse 9", encoded: encoded))
        #expect(!hasher.verify(password: "correct horse 9", encoded: encoded))
        #expect(!hasher.needsRehash(encoded: encoded))
        // The unknown-user path verifies against a hash of the same cost as this real one.
        let dummy = try #require(hasher.dummyHash)
        #expect(Argon2Encoded(dummy) == Argon2Encoded(encoded))
    }

    /// Equal cost without timing: the unknown-user path runs exactly one verification, of
    /// the caller's password, against a hash with the hasher's own parameters (what a known
    /// user's check costs), and says no even if that verification said yes.
    @Test func unknownUserRunsOneVerificationAtTheHashersCost() throws {
        let hasher = PasswordHasher(parameters: .init(memoryKiB: 256, iterations: 3, parallelism: 2))
        let real = try hasher.hash(password: "pw")
        let dummy = try #require(hasher.dummyHash)
        #expect(Argon2Encoded(dummy) == Argon2Encoded(real))
        #expect(Argon2Encoded(dummy) != nil)
        #expect(!hasher.needsRehash(encoded: dummy))
        var calls: [(String, String)] = []
        let answer = hasher.verifyUnknownUser(password: "Correct Horse 9") { password, encoded in
            calls.append((password, encoded))
            return true
        }
        #expect(answer == false)
        #expect(calls.count == 1)
        #expect(calls.first?.0 == "Correct Horse 9")
        #expect(calls.first?.1 == dummy)
        // And the real verification against it is a genuine Argon2id run that no password passes.
        #expect(!hasher.verify(password: "pw", encoded: dummy))
        #expect(!hasher.verify(password: "", encoded: dummy))
        #expect(PasswordHasher(parameters: .init(memoryKiB: 256, iterations: 3, parallelism: 2)).dummyHash != dummy)
    }

    @Test func saltsDiffer() throws {
        let a = try Self.cheap.hash(password: "pw")
        let b = try Self.cheap.hash(password: "pw")
        #expect(a != b)
        #expect(Self.cheap.verify(password: "pw", encoded: a) && Self.cheap.verify(password: "pw", encoded: b))
    }

    @Test func unicodeAndEmptyPasswords() throws {
        let encoded = try Self.cheap.hash(password: "Pässwörd😀")
        #expect(Self.cheap.verify(password: "Pässwörd😀", encoded: encoded))
        #expect(!Self.cheap.verify(password: "Passwörd😀", encoded: encoded))
        let empty = try Self.cheap.hash(password: "")
        #expect(Self.cheap.verify(password: "", encoded: empty))
        #expect(!Self.cheap.verify(password: " ", encoded: empty))
    }

    @Test(arguments: [
        "", "garbage", "$argon2id$", "$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$", "$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA",
        "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
    ])
    func malformedEncodingsAreFalseAndNeedRehash(_ encoded: String) {
        #expect(!Self.cheap.verify(password: "pw", encoded: encoded))
        #expect(Self.cheap.needsRehash(encoded: encoded))
    }

    @Test func needsRehashWhenParametersDiffer() throws {
        let cheapHash = try Self.cheap.hash(password: "pw")
        #expect(!Self.cheap.needsRehash(encoded: cheapHash))
        for other in [
            PasswordHasher.Parameters(memoryKiB: 128, iterations: 1, parallelism: 1),
            .init(memoryKiB: 64, iterations: 2, parallelism: 1),
            .init(memoryKiB: 64, iterations: 1, parallelism: 2),
            .init(memoryKiB: 64, iterations: 1, parallelism: 1, saltLength: 32),
            .init(memoryKiB: 64, iterations: 1, parallelism: 1, hashLength: 16),
        ] {
            #expect(PasswordHasher(parameters: other).needsRehash(encoded: cheapHash))
            // An old hash still verifies under new parameters: rehash happens after login.
            #expect(PasswordHasher(parameters: other).verify(password: "pw", encoded: cheapHash))
        }
    }

    @Test func dummyHashCanBePreparedAhead() throws {
        let hasher = PasswordHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))
        #expect(hasher.prepareDummyHash())
        let prepared = try #require(hasher.dummyHash)
        #expect(hasher.prepareDummyHash())
        #expect(hasher.dummyHash == prepared, "made once, then kept")
    }

    @Test func excessiveStoredCostsAreRefusedWithoutRunning() throws {
        // Real hashes of "pw" whose t or p is above the verification limits: refused although correct.
        for params in [
            PasswordHasher.Parameters(memoryKiB: 64, iterations: 65, parallelism: 1),
            .init(memoryKiB: 136, iterations: 1, parallelism: 17),
        ] {
            let encoded = try PasswordHasher(parameters: params).hash(password: "pw")
            #expect(!Self.cheap.verify(password: "pw", encoded: encoded))
        }
        let withinLimits = try PasswordHasher(parameters: .init(memoryKiB: 128, iterations: 64, parallelism: 16)).hash(password: "pw")
        #expect(Self.cheap.verify(password: "pw", encoded: withinLimits))
        #expect(!Self.cheap.verify(password: "pw", encoded: "$argon2id$v=19$m=1048577,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA"))
    }

    @Test func invalidParametersThrow() {
        #expect(throws: SecurityError.self) {
            try PasswordHasher(parameters: .init(memoryKiB: 4, iterations: 1, parallelism: 1)).hash(password: "pw")
        }
        #expect(throws: SecurityError.self) {
            try PasswordHasher(parameters: .init(memoryKiB: 64, iterations: 0, parallelism: 1)).hash(password: "pw")
        }
    }

    /// Concurrent first calls make one dummy hash and all verify against it.
    @Test func concurrentUnknownUsersShareOneDummyHash() {
        let hasher = PasswordHasher(parameters: .init(memoryKiB: 256, iterations: 1, parallelism: 1))
        let seen = Mutex<[String]>([])
        let answers = Mutex<[Bool]>([])
        let group = DispatchGroup()
        for index in 0..<8 {
            group.enter()
            Thread {
                let answer = hasher.verifyUnknownUser(password: "pw\(index)") { password, encoded in
                    seen.withLock { $0.append(encoded) }
                    return hasher.verify(password: password, encoded: encoded)
                }
                answers.withLock { $0.append(answer) }
                group.leave()
            }.start()
        }
        group.wait()
        #expect(answers.withLock { $0 } == Array(repeating: false, count: 8))
        let hashes = seen.withLock { $0 }
        #expect(hashes.count == 8)
        #expect(Set(hashes).count == 1)
    }
}
