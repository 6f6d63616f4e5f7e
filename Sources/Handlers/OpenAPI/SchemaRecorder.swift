import Foundation
import Quant
import Support
import TMFcgi

/// Derives the JSON Schema of a `Decodable` type by decoding it with a decoder that records
/// what the type asks for (keys, their types, whether they are optional) instead of reading
/// a document: the request and response types are the one source of truth of the OpenAPI
/// document, so a field added to a type appears in the documentation by itself.
///
/// Keys are written in snake_case, as ``JSONCoding`` sends them; dates are RFC 3339 strings;
/// `CaseIterable` string enums list their cases. A type whose `init(from:)` rejects the
/// placeholder values it is given is described as any value.
public enum SchemaRecorder {
    /// The schema of `type`.
    public static func schema(of type: any Decodable.Type) -> JSONDocument {
        node(for: type).json
    }

    static func node(for type: any Decodable.Type) -> Node {
        if let special = special(type) { return special }
        let recorder = Recorder()
        _ = try? type.init(from: recorder)
        return recorder.node ?? .any
    }

    /// Types whose schema is not what their `init(from:)` asks for.
    static func special(_ type: any Decodable.Type) -> Node? {
        if let scalar = scalar(type) { return scalar.node }
        if type == Date.self { return .string(format: "date-time") }
        if let cases = type as? any (CaseIterable & RawRepresentable).Type {
            let values = cases.allRawValues
            if !values.isEmpty { return .enumeration(values) }
        }
        if let described = type as? any SchemaDescribed.Type { return .raw(described.schema) }
        return nil
    }

    /// A placeholder instance of a special type, for the decoding to go on.
    static func placeholder<T: Decodable>(_ type: T.Type) -> T? {
        if let scalar = scalar(type) { return scalar.value }
        if type == Date.self { return Date(timeIntervalSince1970: 0) as? T }
        if let cases = type as? any (CaseIterable & RawRepresentable).Type { return cases.firstCase as? T }
        return nil
    }

    /// The schema of a JSON scalar (a number, a string, a Boolean) and a placeholder of it:
    /// one table for every container, so each scalar is described the same way wherever it is.
    static func scalar<T>(_ type: T.Type) -> (node: Node, value: T)? {
        switch type {
        case let integer as any FixedWidthInteger.Type: (.integer, integer.zero as! T)
        case let number as any BinaryFloatingPoint.Type: (.number, number.zero as! T)
        case is Bool.Type: (.boolean, false as! T)
        case is String.Type: (.string(format: nil), "" as! T)
        default: nil
        }
    }

    /// What was recorded about one value.
    indirect enum Node {
        case any
        case string(format: String?)
        case integer
        case number
        case boolean
        case enumeration([String])
        case array(Node)
        case object([(key: String, node: Node, required: Bool)])
        case raw(JSONDocument)

        var json: JSONDocument {
            switch self {
            case .any: return .object([])
            case .string(let format):
                return .object([("type", .string("string"))] + (format.map { [("format", .string($0))] } ?? []))
            case .integer: return .object([("type", .string("integer"))])
            case .number: return .object([("type", .string("number"))])
            case .boolean: return .object([("type", .string("boolean"))])
            case .enumeration(let values): return .object([("type", .string("string")), ("enum", .array(values.map { .string($0) }))])
            case .array(let element): return .object([("type", .string("array")), ("items", element.json)])
            case .object(let members):
                var fields: [(String, JSONDocument)] = [("type", .string("object"))]
                fields.append(("properties", .object(members.map { ($0.key, $0.required ? $0.node.json : $0.node.nullable) })))
                let required = members.filter(\.required).map { JSONDocument.string($0.key) }
                if !required.isEmpty { fields.append(("required", .array(required))) }
                return .object(fields)
            case .raw(let value): return value
            }
        }

        /// The schema that also allows `null` (optional fields may be sent as null).
        var nullable: JSONDocument {
            switch self {
            case .any, .raw: return json
            default: return .object([("anyOf", .array([json, .object([("type", .string("null"))])]))])
            }
        }
    }

    /// The decoder: one per value being described.
    final class Recorder: Decoder {
        var codingPath: [any CodingKey] = []
        var userInfo: [CodingUserInfoKey: Any] = [:]
        var node: Node?
        var members: [(key: String, node: Node, required: Bool)] = []
        /// The key whose `null` was just asked for: the value decoded next for it is optional.
        var nullKey: String?

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            node = .object([])
            return KeyedDecodingContainer(Keyed<Key>(recorder: self))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            Unkeyed(recorder: self)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer {
            Single(recorder: self)
        }

        func record(_ key: String, _ node: Node, required: Bool) {
            let name = JSONCoding.snakeCase(key)
            members.removeAll { $0.key == name }
            members.append((name, node, required))
            self.node = .object(members)
        }

        /// Records `type` and returns a placeholder value of it.
        func value<T: Decodable>(_ type: T.Type, into store: (Node) -> Void) throws -> T {
            let special = SchemaRecorder.special(type)
            if let special, let value = SchemaRecorder.placeholder(type) {
                store(special)
                return value
            }
            // A type that states its schema is still decoded (for a value to go on with), but
            // what its decoding asked for is not its schema.
            let child = Recorder()
            child.codingPath = codingPath
            defer { store(special ?? child.node ?? .any) }
            return try T(from: child)
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        var codingPath: [any CodingKey] { recorder.codingPath }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool {
            recorder.nullKey = key.stringValue
            return false
        }

        // The scalar overloads of the protocol are witnessed by the generic one; its
        // `decodeIfPresent`s ask `decodeNil` first, which marks the key optional.
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let required = recorder.nullKey != key.stringValue
            recorder.nullKey = nil
            return try recorder.value(type) { recorder.record(key.stringValue, $0, required: required) }
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            let child = Recorder()
            recorder.record(key.stringValue, .object([]), required: true)
            return try child.container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            recorder.record(key.stringValue, .array(.any), required: true)
            return Unkeyed(recorder: Recorder())
        }
        func superDecoder() throws -> any Decoder { recorder }
        func superDecoder(forKey key: Key) throws -> any Decoder { recorder }
    }

    /// An array: one element is described, then the array ends.
    struct Unkeyed: UnkeyedDecodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { recorder.codingPath }
        var count: Int? { 1 }
        var isAtEnd: Bool { done }
        var currentIndex: Int { done ? 1 : 0 }
        private var done = false

        init(recorder: Recorder) {
            self.recorder = recorder
            recorder.node = .array(.any)
        }

        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            done = true
            let recorder = self.recorder
            return try recorder.value(type) { recorder.node = .array($0) }
        }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            done = true
            let child = Recorder()
            defer { recorder.node = .array(child.node ?? .any) }
            return try child.container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            done = true
            return Unkeyed(recorder: Recorder())
        }
        mutating func superDecoder() throws -> any Decoder { recorder }
    }

    /// A single value (a wrapper type or an enum's raw value).
    struct Single: SingleValueDecodingContainer {
        let recorder: Recorder
        var codingPath: [any CodingKey] { recorder.codingPath }
        func decodeNil() -> Bool { false }
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let recorder = self.recorder
            return try recorder.value(type) { recorder.node = $0 }
        }
    }
}

/// A type that states its own schema (for values whose decoding cannot be recorded).
public protocol SchemaDescribed {
    /// The JSON Schema of the type.
    static var schema: JSONDocument { get }
}

extension CaseIterable where Self: RawRepresentable {
    fileprivate static var allRawValues: [String] { allCases.compactMap { $0.rawValue as? String } }
    fileprivate static var firstCase: Self? { allCases.first }
}
