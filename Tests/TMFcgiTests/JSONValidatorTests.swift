import Foundation
import Testing

@testable import TMFcgi

/// The strict JSON check in front of Foundation's decoder.
@Suite struct JSONValidatorTests {
    func status(_ text: String) -> Int? {
        status(Array(text.utf8))
    }

    func status(_ bytes: [UInt8]) -> Int? {
        do {
            try JSONValidator.validate(bytes)
            return nil
        } catch let problem as Problem {
            return problem.status.code
        } catch {
            return -1
        }
    }

    func pointer(_ text: String) -> String? {
        do {
            try JSONValidator.validate(Array(text.utf8))
            return nil
        } catch let problem as Problem {
            return problem.errors.first?.pointer
        } catch {
            return nil
        }
    }

    @Test func acceptsWhatRFC8259Accepts() {
        for text in [
            #"{}"#, #"[]"#, #"{"a":[1,-2.5e3,0,true,false,null,"x\n\t\"\\\/"]}"#, "  {\"a\" : { \"b\" : [ ] } }  ",
            #""\ud83d\ude00""#, "\"é€😀\"", "0", "-0.0E+1",
        ] {
            #expect(status(text) == nil, "\(text)")
        }
    }

    @Test func malformedJSONIs400() {
        for text in [
            #"{"a":1,}"#, #"[1,]"#, #"{"a":1"#, #"{'a':1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":+1}"#,
            #"{"a":tru}"#, #"{"a":1} x"#, "", "{\"a\":\"\u{1}\"}", #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
            #"{"ignored":"\ud800","a":1}"#, #"{"a":"\udc00"}"#, #"{"a":"\ud800\u0041"}"#,
            String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
        ] {
            #expect(status(text) == 400, "\(text)")
        }
    }

    @Test func invalidUTF8Is400EvenInIgnoredFields() {
        let prefix = Array(#"{"ignored":""#.utf8)
        let suffix = Array(#"","a":1}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]] {
            #expect(status(prefix + bad + suffix) == 400, "\(bad)")
        }
        #expect(status(prefix + [0xC3, 0xA9] + suffix) == nil)
    }

    /// A parsed body is the one JSON model with its members in the document's order.
    @Test func parsedObjectsKeepTheDocumentsOrder() throws {
        let text = #"{"zeta":1,"alpha":{"y":2.5,"x":[null,true,"s"]},"mid":-3}"#
        let document = try JSONValidator.parse(Array(text.utf8))
        #expect(document.rendered() == text)
        guard case .object(let members) = document else {
            Issue.record("not an object")
            return
        }
        #expect(members.keys == ["zeta", "alpha", "mid"])
    }

    @Test func duplicateKeysAre422WithTheirPointer() {
        #expect(status(#"{"a":1,"a":2}"#) == 422)
        #expect(pointer(#"{"x":{"a/b":1,"a/b":2}}"#) == "/x/a~1b")
    }

    @Test func controlCharactersInStringsAre422() {
        #expect(status(#"{"username":"alice\u0000junk"}"#) == 422)
        #expect(pointer(#"{"list":["ok","a\u001fb"]}"#) == "/list/1")
        #expect(status(#"{"a":"\u007f"}"#) == 422)
        #expect(status("{\"a\":\"\u{85}\"}") == 422)
        // Tab, line feed and carriage return are text, not control.
        #expect(status(#"{"a":"line\nnext\tcol\r"}"#) == nil)
    }

    @Test func decodeRunsTheCheckFirst() throws {
        struct Login: Decodable { var username: String }
        #expect(throws: Problem.self) { try JSONCoding.decode(Login.self, from: Array(#"{"username":"a","username":"b"}"#.utf8)) }
        #expect(try JSONCoding.decode(Login.self, from: Array(#"{"username":"a"}"#.utf8)).username == "a")
    }
}
