import Foundation
import Support
import Testing

/// The one JSON value model: objects keep their members' order for the text, compare as
/// JSON does (order aside), and round-trip through `Codable` as they did.
@Suite struct JSONDocumentTests {
    @Test func objectsKeepTheirOrderInTheText() {
        let built: JSONDocument = .object([("zeta", .integer(1)), ("alpha", .finite(.nan)), ("mid", .array([.finite(2.5), .bool(true)]))])
        #expect(built.rendered() == #"{"zeta":1,"alpha":null,"mid":[2.5,true]}"#)
        var members = JSONObject()
        members["b"] = .string("x\"y\n")
        members["a"] = .null
        members["b"] = .integer(7)  // a key set again keeps its place
        #expect(JSONDocument.object(members).rendered() == #"{"b":7,"a":null}"#)
        members["b"] = nil
        #expect(members.keys == ["a"] && members.count == 1)
        // A dictionary has no order of its own: its members go in key order.
        #expect(JSONDocument.object(["b": .integer(2), "a": .integer(1)] as [String: JSONDocument]).rendered() == #"{"a":1,"b":2}"#)
    }

    @Test func equalityIgnoresOrderAsJSONDoes() {
        let one: JSONDocument = .object([("a", .integer(1)), ("b", .string("x"))])
        let other: JSONDocument = .object([("b", .string("x")), ("a", .integer(1))])
        #expect(one == other && one.rendered() != other.rendered())
        #expect(one != .object([("a", .integer(1))]))
    }

    @Test func numbersAsBefore() {
        // Integral doubles without ".0" below 1e15; the shortest round-trip text otherwise.
        #expect(JSONDocument.numbers([1, 0.1, 1e15, -2.5e-300, .infinity]).rendered() == "[1,0.1,1000000000000000.0,-2.5e-300,null]")
        #expect(JSONDocument.integer(Int64.max).rendered() == "9223372036854775807")
    }

    @Test func codableRoundTrip() throws {
        let text = #"{"k":[1,2.5,"s",null,true],"n":{"x":-1}}"#
        let decoded = try JSONDecoder().decode(JSONDocument.self, from: Data(text.utf8))
        #expect(decoded["n"]?["x"]?.intValue == -1)
        let again = try JSONDecoder().decode(JSONDocument.self, from: JSONEncoder().encode(decoded))
        #expect(again == decoded)
        #expect(JSONDocument(json: decoded.json) == decoded)
    }
}
