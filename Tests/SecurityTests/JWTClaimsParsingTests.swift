import Foundation
import Testing

@testable import Security

/// The plain-claims fast path agrees with Foundation's decoder on everything it accepts, and
/// hands everything else to it.
@Suite struct JWTClaimsParsingTests {
    static let base =
        #"{"aud":"trademaster-api","exp":1800000300,"iat":1800000000,"iss":"trademaster","jti":"abc","role":"user","sid":"s1","sub":"42"}"#

    func foundation(_ text: String) -> JWTClaims? {
        try? JSONDecoder().decode(JWTClaims.self, from: Data(text.utf8))
    }

    @Test func plainPayloadsParseAsFoundationDecodesThem() throws {
        let signer = try JWTSigner(currentKey: Array(repeating: 7, count: 32), issuer: "trademaster", audience: "trademaster-api")
        let claims = try signer.makeClaims(subject: "42", sessionID: "sid-é", role: "admin", lifetime: 300)
        let token = signer.sign(claims)
        let payload = try #require(Base64URL.decode(String(token.split(separator: ".")[1])))
        #expect(JWTClaims.parsePlain(payload) == claims)
        for text in [
            Self.base,
            " {\n\"sub\" : \"42\", \"iss\":\"trademaster\",\"aud\":\"trademaster-api\",\"sid\":\"s1\",\"jti\":\"abc\",\"role\":\"user\",\"iat\":-5,\"exp\":0 } ",
        ] {
            let plain = JWTClaims.parsePlain(Array(text.utf8))
            #expect(plain != nil, "\(text)")
            #expect(plain == foundation(text), "\(text)")
        }
    }

    @Test func anythingElseFallsBackToFoundation() {
        let variants = [
            Self.base.replacingOccurrences(of: #""sub":"42""#, with: #""sub":"4\u0032""#),  // escape
            Self.base.replacingOccurrences(of: #""exp":1800000300"#, with: #""exp":1800000300.0"#),  // fraction
            Self.base.replacingOccurrences(of: #""exp":1800000300"#, with: #""exp":1e9"#),  // exponent
            Self.base.replacingOccurrences(of: #""exp":1800000300"#, with: #""exp":01"#),  // leading zero
            Self.base.replacingOccurrences(of: #""exp":1800000300"#, with: #""exp":9007199254740993"#),  // past 2^53
            Self.base.replacingOccurrences(of: #""role":"user""#, with: #""role":"user","role":"admin""#),  // repeated
            Self.base.replacingOccurrences(of: #""role":"user""#, with: #""role":"user","extra":1"#),  // unknown key
            Self.base.replacingOccurrences(of: #","sub":"42""#, with: ""),  // missing
            Self.base + "x", "[]", "",
        ]
        for text in variants {
            #expect(JWTClaims.parsePlain(Array(text.utf8)) == nil, "\(text)")
        }
        // Through the signer's decoding both paths give Foundation's answer.
        #expect((try? JWTSigner.decodeClaims(Array(variants[0].utf8))) == foundation(variants[0]))
        #expect((try? JWTSigner.decodeClaims(Array(variants[1].utf8))) == foundation(variants[1]))
    }
}
