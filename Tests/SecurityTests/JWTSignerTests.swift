import Security
import Testing

@Suite struct JWTSignerTests {
    static let keyA = [UInt8](repeating: 0xa1, count: 32)
    static let keyB = [UInt8](repeating: 0xb2, count: 32)
    static let now: Int64 = 1_800_000_000

    static func signer(current: [UInt8] = keyA, previous: [UInt8]? = nil, leeway: Int64 = 0) throws -> JWTSigner {
        try JWTSigner(currentKey: current, previousKey: previous, issuer: "tm", audience: "tm-api", leeway: leeway)
    }

    static func claims(iat: Int64 = now, exp: Int64 = now + 900, iss: String = "tm", aud: String = "tm-api") -> JWTClaims {
        JWTClaims(iss: iss, aud: aud, sub: "42", sid: "s1", jti: "j1", role: "user", iat: iat, exp: exp)
    }

    /// A token signed with `keyA` over an arbitrary header and payload.
    static func raw(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String) -> String {
        HS256.sign(header: Array(header.utf8), payload: Array(payload.utf8), key: keyA)
    }

    static let validPayload = #"{"iss":"tm","aud":"tm-api","sub":"42","sid":"s1","jti":"j1","role":"user","iat":1800000000,"exp":1800000900}"#

    @Test func signAndVerifyRoundTrip() throws {
        let signer = try Self.signer()
        let claims = try signer.makeClaims(subject: "42", sessionID: "s1", role: "analyst", lifetime: 900, now: Self.now)
        #expect(claims.iss == "tm" && claims.aud == "tm-api" && claims.exp == Self.now + 900)
        #expect(claims.jti.count == 22)
        let token = signer.sign(claims)
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."))  // {"alg":"HS256","typ":"JWT"}
        #expect(try signer.verify(token, now: Self.now + 10) == claims)
        #expect(try signer.verify(Self.raw(payload: Self.validPayload), now: Self.now) == Self.claims())
    }

    @Test func descriptionHidesKeys() throws {
        let text = String(describing: try Self.signer(previous: Self.keyB))
        #expect(!text.contains("161") && !text.contains("a1"))
    }

    @Test func shortKeysAreRefused() {
        #expect(throws: JWTError.keyTooShort) { try Self.signer(current: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: JWTError.keyTooShort) { try Self.signer(previous: [1]) }
    }

    @Test func rotationAcceptsThePreviousKey() throws {
        let old = try Self.signer(current: Self.keyB)
        let token = old.sign(Self.claims())
        #expect(throws: JWTError.invalidSignature) { try Self.signer().verify(token, now: Self.now) }
        #expect(try Self.signer(previous: Self.keyB).verify(token, now: Self.now) == Self.claims())
        // A new token after rotation is signed with the new current key.
        let rotated = try Self.signer(previous: Self.keyB).sign(Self.claims())
        #expect(try Self.signer().verify(rotated, now: Self.now) == Self.claims())
    }

    @Test func algNoneIsRefusedInAnyCase() throws {
        for alg in ["none", "None", "NONE"] {
            let body = Base64URL.encode(Array(Self.validPayload.utf8))
            let header = Base64URL.encode(Array(#"{"alg":"\#(alg)","typ":"JWT"}"#.utf8))
            #expect(throws: JWTError.algorithmNone) { try Self.signer().verify(header + "." + body + ".", now: Self.now) }
            #expect(throws: JWTError.algorithmNone) {
                try Self.signer().verify(Self.raw(header: #"{"alg":"\#(alg)"}"#, payload: Self.validPayload), now: Self.now)
            }
        }
    }

    @Test(arguments: ["HS384", "HS512", "RS256", "ES256", "hs256", "PS256"])
    func otherAlgorithmsAreRefused(_ alg: String) throws {
        let token = Self.raw(header: #"{"alg":"\#(alg)","typ":"JWT"}"#, payload: Self.validPayload)
        #expect(throws: JWTError.unsupportedAlgorithm(alg)) { try Self.signer().verify(token, now: Self.now) }
    }

    @Test func criticalHeaderIsRefused() throws {
        let token = Self.raw(header: #"{"alg":"HS256","crit":["exp"],"exp":1}"#, payload: Self.validPayload)
        #expect(throws: JWTError.criticalHeaderUnsupported) { try Self.signer().verify(token, now: Self.now) }
    }

    @Test func overlongTokenIsRefusedFirst() throws {
        let token = Self.raw(payload: Self.validPayload.replacingAll(#""role":"user""#, with: "\"role\":\"\(String(repeating: "u", count: 8192))\""))
        #expect(throws: JWTError.tokenTooLong) { try Self.signer().verify(token, now: Self.now) }
        #expect(throws: JWTError.tokenTooLong) { try Self.signer().verify(String(repeating: ".", count: 9000), now: Self.now) }
    }

    @Test func missingOrNonStringAlgorithm() throws {
        #expect(throws: JWTError.missingAlgorithm) {
            try Self.signer().verify(Self.raw(header: #"{"typ":"JWT"}"#, payload: Self.validPayload), now: Self.now)
        }
        #expect(throws: JWTError.invalidJSON(.header)) {
            try Self.signer().verify(Self.raw(header: #"{"alg":256}"#, payload: Self.validPayload), now: Self.now)
        }
    }

    @Test func badSignature() throws {
        let token = try Self.signer().sign(Self.claims())
        var parts = token.split(separator: ".").map(String.init)
        let other = try Self.signer(current: Self.keyB).sign(Self.claims())
        parts[2] = String(other.split(separator: ".")[2])
        #expect(throws: JWTError.invalidSignature) { try Self.signer().verify(parts.joined(separator: "."), now: Self.now) }
        // A truncated signature is a bad signature too, not a crash.
        parts[2] = String(parts[2].prefix(20))
        #expect(throws: JWTError.invalidSignature) { try Self.signer().verify(parts.joined(separator: "."), now: Self.now) }
    }

    @Test func expiryWithAndWithoutLeeway() throws {
        let token = try Self.signer().sign(Self.claims(exp: Self.now))
        #expect(throws: JWTError.expired) { try Self.signer().verify(token, now: Self.now) }  // exp == now
        #expect(throws: JWTError.expired) { try Self.signer().verify(token, now: Self.now + 1) }
        #expect(try Self.signer().verify(token, now: Self.now - 1).exp == Self.now)
        #expect(try Self.signer(leeway: 5).verify(token, now: Self.now + 4).exp == Self.now)
        #expect(throws: JWTError.expired) { try Self.signer(leeway: 5).verify(token, now: Self.now + 5) }
    }

    @Test func issuedAtFarInTheFuture() throws {
        let token = try Self.signer().sign(Self.claims(iat: Self.now + 3600, exp: Self.now + 7200))
        #expect(throws: JWTError.issuedInFuture) { try Self.signer().verify(token, now: Self.now) }
        let skewed = try Self.signer().sign(Self.claims(iat: Self.now + 30))
        #expect(try Self.signer().verify(skewed, now: Self.now).iat == Self.now + 30)
    }

    @Test func wrongAudienceAndIssuer() throws {
        let signer = try Self.signer()
        #expect(throws: JWTError.wrongAudience) { try signer.verify(signer.sign(Self.claims(aud: "other")), now: Self.now) }
        #expect(throws: JWTError.wrongIssuer) { try signer.verify(signer.sign(Self.claims(iss: "evil")), now: Self.now) }
    }

    @Test(arguments: [("", 1), ("a.b", 2), ("a.b.c.d", 4), ("a.b.c.d.e", 5), ("....", 5)])
    func wrongSegmentCount(_ token: String, _ count: Int) throws {
        #expect(throws: JWTError.wrongSegmentCount(count)) { try Self.signer().verify(token, now: Self.now) }
    }

    @Test func badBase64URLInEachSegment() throws {
        let parts = Self.raw(payload: Self.validPayload).split(separator: ".").map(String.init)
        #expect(throws: JWTError.invalidBase64URL(.header)) {
            try Self.signer().verify("e+J." + parts[1] + "." + parts[2], now: Self.now)
        }
        #expect(throws: JWTError.invalidBase64URL(.signature)) {
            try Self.signer().verify(parts[0] + "." + parts[1] + ".abc=", now: Self.now)
        }
        // A correctly signed token whose payload segment is not base64url.
        let signingInput = parts[0] + ".eyJ*"
        let signature = Base64URL.encode(HMAC.sha256(key: Self.keyA, message: Array(signingInput.utf8)))
        #expect(throws: JWTError.invalidBase64URL(.payload)) {
            try Self.signer().verify(signingInput + "." + signature, now: Self.now)
        }
    }

    @Test func badJSON() throws {
        #expect(throws: JWTError.invalidJSON(.header)) {
            try Self.signer().verify(Self.raw(header: #"{"alg":"HS256""#, payload: Self.validPayload), now: Self.now)
        }
        for payload in [#"{"iss":"tm""#, "not json", "[1,2]", "\"text\"", ""] {
            #expect(throws: JWTError.invalidJSON(.payload)) { try Self.signer().verify(Self.raw(payload: payload), now: Self.now) }
        }
    }

    @Test(arguments: ["iss", "aud", "sub", "sid", "jti", "role", "iat", "exp"])
    func missingClaim(_ name: String) throws {
        let payload = Self.validPayload.replacingAll("\"\(name)\":", with: "\"x_\(name)\":")
        #expect(throws: JWTError.missingClaim(name)) { try Self.signer().verify(Self.raw(payload: payload), now: Self.now) }
    }

    @Test(arguments: [
        (#""exp":1800000900"#, #""exp":"1800000900""#, "exp"),
        (#""exp":1800000900"#, #""exp":1800000900.5"#, "exp"),
        (#""iat":1800000000"#, #""iat":null"#, "iat"),
        (#""aud":"tm-api""#, #""aud":["tm-api"]"#, "aud"),
        (#""sub":"42""#, #""sub":42"#, "sub"),
        (#""role":"user""#, #""role":true"#, "role"),
    ])
    func wrongClaimType(_ original: String, _ replacement: String, _ name: String) throws {
        let payload = Self.validPayload.replacingAll(original, with: replacement)
        #expect(payload != Self.validPayload)
        #expect(throws: JWTError.invalidClaimType(name)) { try Self.signer().verify(Self.raw(payload: payload), now: Self.now) }
    }
}

extension String {
    /// `self` with every occurrence of `target` replaced (no Foundation in these tests).
    func replacingAll(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
