import Security
import Testing

@Suite struct PasswordHasherTests {
    /// Cheap parameters for the tests that only check behaviour.
    static let cheap = PasswordHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))

    @Test func owaspParametersProduceTheStandardEncodingAndVerify() throws {
        let hasher = PasswordHasher()
        #expect(hasher.parameters == .owasp)
        let clock = ContinuousClock()
        var encoded = ""
        let hashTime = try clock.measure { encoded = try hasher.hash(password: "Correct Horse 9") }
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 5)
        #expect(fields[3].count == 22)  // 16-byte salt, unpadded base64
        #expect(fields[4].count == 43)  // 32-byte hash
        var ok = false
        let verifyTime = clock.measure { ok = hasher.verify(password: "Correct Horse 9", encoded: encoded) }
        #expect(ok)
        #expect(!hasher.verify(password: "correct horse 9", encoded: encoded))
        #expect(!hasher.needsRehash(encoded: encoded))
        let unknownTime = clock.measure { #expect(!hasher.verifyUnknownUser(password: "Correct Horse 9")) }
        let unknownAgain = clock.measure { #expect(!hasher.verifyUnknownUser(password: "x")) }
        // Timings only (debug build, shared cores); not secret, not asserted.
        print("Argon2id OWASP (debug build): hash \(hashTime), verify \(verifyTime), unknown user first \(unknownTime), then \(unknownAgain)")
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
        for other in [PasswordHasher.Parameters(memoryKiB: 128, iterations: 1, parallelism: 1),
                      .init(memoryKiB: 64, iterations: 2, parallelism: 1),
                      .init(memoryKiB: 64, iterations: 1, parallelism: 2),
                      .init(memoryKiB: 64, iterations: 1, parallelism: 1, saltLength: 32),
                      .init(memoryKiB: 64, iterations: 1, parallelism: 1, hashLength: 16)] {
            #expect(PasswordHasher(parameters: other).needsRehash(encoded: cheapHash))
            // An old hash still verifies under new parameters: rehash happens after login.
            #expect(PasswordHasher(parameters: other).verify(password: "pw", encoded: cheapHash))
        }
    }

    @Test func dummyHashCanBePreparedAhead() {
        let hasher = PasswordHasher(parameters: .init(memoryKiB: 64, iterations: 1, parallelism: 1))
        #expect(hasher.prepareDummyHash())
        #expect(hasher.prepareDummyHash())
        #expect(!hasher.verifyUnknownUser(password: "anything"))
    }

    @Test func excessiveStoredCostsAreRefusedWithoutRunning() throws {
        // Real hashes of "pw" whose t or p is above the verification limits: refused although correct.
        for params in [PasswordHasher.Parameters(memoryKiB: 64, iterations: 65, parallelism: 1),
                       .init(memoryKiB: 136, iterations: 1, parallelism: 17)] {
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

    @Test func unknownUserIsAlwaysFalseEvenUnderConcurrency() async {
        let hasher = PasswordHasher(parameters: .init(memoryKiB: 256, iterations: 1, parallelism: 1))
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 { group.addTask { hasher.verifyUnknownUser(password: "pw\(index)") } }
            for await result in group { #expect(result == false) }
        }
    }
}
