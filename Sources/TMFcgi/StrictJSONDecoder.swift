import Foundation
import Support

/// Decodes a request body the way ``JSONCoding`` promises (snake_case keys, RFC 3339 dates)
/// and remembers which members each object's type asked for, so that a member nobody asked
/// for (`"descripton"`) is refused instead of silently dropped. Foundation's `JSONDecoder`
/// cannot tell: a synthesized `init(from:)` only asks for the keys it knows.
///
/// A type asks for a member by decoding it, by `decodeIfPresent`, by `contains`, or by
/// reading `allKeys` (a dictionary asks for all of them).
struct StrictJSONDecoder {
    /// What the decode found out of place: the pointers of members no type asked for,
    /// and for each the members its object takes.
    struct UnknownMember: Equatable {
        var pointer: String
        var accepted: [String]
    }

    /// Decodes `document` as `T`; throws `DecodingError` like Foundation's decoder.
    static func decode<T: Decodable>(_ type: T.Type, from document: JSONDocument) throws -> (T, [UnknownMember]) {
        let ledger = Ledger()
        let value = try Node(document, path: [], pointer: "", ledger: ledger).decode(T.self)
        return (value, ledger.unknownMembers())
    }

    /// The objects opened as keyed containers, by pointer: their members (JSON key → the
    /// key types ask with) and the keys asked for.
    final class Ledger {
        struct Object {
            var members: [String: String]
            var asked: Set<String> = []
        }
        var objects: [String: Object] = [:]

        func open(_ pointer: String, members: [String: String]) {
            if objects[pointer] == nil { objects[pointer] = Object(members: members) }
        }

        func ask(_ pointer: String, _ key: String) {
            objects[pointer]?.asked.insert(key)
        }

        func askAll(_ pointer: String) {
            guard let object = objects[pointer] else { return }
            objects[pointer]?.asked.formUnion(object.members.values)
        }

        func unknownMembers() -> [UnknownMember] {
            var found: [UnknownMember] = []
            for (pointer, object) in objects {
                let accepted = object.asked.map(JSONCoding.snakeCase).sorted()
                for (member, key) in object.members where !object.asked.contains(key) {
                    found.append(UnknownMember(pointer: pointer + "/" + StrictJSONDecoder.escape(member), accepted: accepted))
                }
            }
            return found.sorted { $0.pointer < $1.pointer }
        }
    }

    /// An RFC 6901 reference token.
    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// `full_name` → `fullName`, exactly as Foundation's `.convertFromSnakeCase` does.
    static func camelCase(_ key: String) -> String {
        guard let first = key.firstIndex(where: { $0 != "_" }) else { return key }
        var last = key.index(before: key.endIndex)
        while last > first && key[last] == "_" { key.formIndex(before: &last) }
        let core = key[first...last]
        let words = core.split(separator: "_")
        let joined = words.count == 1 ? String(core) : ([words[0].lowercased()] + words.dropFirst().map { $0.capitalized }).joined()
        return String(key[..<first]) + joined + String(key[key.index(after: last)...])
    }

    /// One value and where it is.
    struct Node: Decoder {
        let value: JSONDocument
        let codingPath: [any CodingKey]
        let pointer: String
        let ledger: Ledger
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        init(_ value: JSONDocument, path: [any CodingKey], pointer: String, ledger: Ledger) {
            self.value = value
            self.codingPath = path
            self.pointer = pointer
            self.ledger = ledger
        }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = value else { throw mismatch([String: Any].self) }
            var byKey: [String: (member: String, value: JSONDocument)] = [:]
            var keys: [String: String] = [:]
            for (member, value) in members {
                let key = StrictJSONDecoder.camelCase(member)
                // Two spellings of one key (`full_name` and `fullName`): the second is unknown.
                if byKey[key] != nil {
                    keys[member] = "\u{0}" + member
                    continue
                }
                byKey[key] = (member, value)
                keys[member] = key
            }
            ledger.open(pointer, members: keys)
            return KeyedDecodingContainer(Keyed<Key>(node: self, members: byKey))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let elements) = value else { throw mismatch([Any].self) }
            return Unkeyed(node: self, elements: elements)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(node: self) }

        func mismatch(_ type: Any.Type) -> DecodingError {
            DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription: "found \(value.kind)"))
        }

        func corrupted(_ detail: String) -> DecodingError {
            DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: detail))
        }

        func child(_ value: JSONDocument, key: any CodingKey, member: String) -> Node {
            Node(value, path: codingPath + [key], pointer: pointer + "/" + StrictJSONDecoder.escape(member), ledger: ledger)
        }

        /// The value as `T`: the primitives, dates (RFC 3339), URLs, and any other type
        /// through its own `init(from:)`.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if case .null = value, !(T.self is ExpressibleByNilLiteral.Type), T.self != JSONDocument.self {
                throw DecodingError.valueNotFound(T.self, .init(codingPath: codingPath, debugDescription: "found null"))
            }
            switch T.self {
            case is JSONDocument.Type: return value as! T
            case is String.Type:
                guard case .string(let text) = value else { throw mismatch(String.self) }
                return text as! T
            case is Bool.Type:
                guard case .bool(let flag) = value else { throw mismatch(Bool.self) }
                return flag as! T
            case is Double.Type: return try number() as! T
            case is Float.Type:
                let single = Float(try number())
                guard single.isFinite else { throw corrupted("must be a number within single precision") }
                return single as! T
            case is Int.Type: return try integer(Int.self) as! T
            case is Int64.Type: return try integer(Int64.self) as! T
            case is Int32.Type: return try integer(Int32.self) as! T
            case is Int16.Type: return try integer(Int16.self) as! T
            case is Int8.Type: return try integer(Int8.self) as! T
            case is UInt.Type: return try integer(UInt.self) as! T
            case is UInt64.Type: return try integer(UInt64.self) as! T
            case is UInt32.Type: return try integer(UInt32.self) as! T
            case is UInt16.Type: return try integer(UInt16.self) as! T
            case is UInt8.Type: return try integer(UInt8.self) as! T
            case is Date.Type:
                guard case .string(let text) = value, let date = RFC3339.parse(text) else { throw corrupted(JSONCoding.invalidDate) }
                return date as! T
            case is URL.Type:
                guard case .string(let text) = value else { throw mismatch(String.self) }
                guard let url = URL(string: text) else { throw corrupted("must be a URL") }
                return url as! T
            case let dictionary as any StringKeyedDictionary.Type:
                return try dictionary.decodeMembers(of: self) as! T
            default:
                return try T(from: self)
            }
        }

        func number() throws -> Double {
            switch value {
            case .integer(let integer): return Double(integer)
            case .number(let number):
                guard number.isFinite else { throw corrupted("must be a finite number") }
                return number
            default: throw mismatch(Double.self)
            }
        }

        func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
            switch value {
            case .integer(let integer):
                guard let exact = I(exactly: integer) else { throw corrupted("must be an integer from \(I.min) to \(I.max)") }
                return exact
            case .number(let number) where number.isFinite && number == number.rounded():
                guard let exact = I(exactly: number) else { throw corrupted("must be an integer from \(I.min) to \(I.max)") }
                return exact
            default: throw mismatch(I.self)
            }
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let node: Node
        let members: [String: (member: String, value: JSONDocument)]
        var codingPath: [any CodingKey] { node.codingPath }

        var allKeys: [Key] {
            node.ledger.askAll(node.pointer)
            return members.keys.compactMap { Key(stringValue: $0) }
        }

        func contains(_ key: Key) -> Bool {
            node.ledger.ask(node.pointer, key.stringValue)
            return members[key.stringValue] != nil
        }

        func child(_ key: Key) throws -> Node {
            node.ledger.ask(node.pointer, key.stringValue)
            guard let found = members[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
            }
            return node.child(found.value, key: key, member: found.member)
        }

        func decodeNil(forKey key: Key) throws -> Bool {
            if case .null = try child(key).value { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(T.self) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> any Decoder { node }
        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let node: Node
        let elements: [JSONDocument]
        var currentIndex = 0
        var codingPath: [any CodingKey] { node.codingPath }
        var count: Int? { elements.count }
        var isAtEnd: Bool { currentIndex >= elements.count }

        /// A position in an array, or a dictionary's key.
        struct Index: CodingKey {
            var intValue: Int?
            var stringValue: String
            init(_ index: Int) {
                intValue = index
                stringValue = String(index)
            }
            init(_ key: String) { stringValue = key }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { self.init(intValue) }
        }

        mutating func next() throws -> Node {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath + [Index(currentIndex)], debugDescription: "the array has no more elements"))
            }
            defer { currentIndex += 1 }
            return node.child(elements[currentIndex], key: Index(currentIndex), member: String(currentIndex))
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, case .null = elements[currentIndex] else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(T.self) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    struct Single: SingleValueDecodingContainer {
        let node: Node
        var codingPath: [any CodingKey] { node.codingPath }

        func decodeNil() -> Bool {
            if case .null = node.value { return true }
            return false
        }

        func decode<T: Decodable>(_ type: T.Type) throws -> T { try node.decode(T.self) }
        func decode(_ type: Bool.Type) throws -> Bool { try node.decode(type) }
        func decode(_ type: String.Type) throws -> String { try node.decode(type) }
        func decode(_ type: Double.Type) throws -> Double { try node.decode(type) }
        func decode(_ type: Float.Type) throws -> Float { try node.decode(type) }
        func decode(_ type: Int.Type) throws -> Int { try node.decode(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try node.decode(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try node.decode(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try node.decode(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try node.decode(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try node.decode(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try node.decode(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try node.decode(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try node.decode(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try node.decode(type) }
    }
}

/// A dictionary keyed by strings: its keys are data (a strategy's parameter names), so they
/// keep their spelling, as Foundation's decoder keeps them, and every one is asked for.
protocol StringKeyedDictionary {
    static func decodeMembers(of node: StrictJSONDecoder.Node) throws -> Self
}

extension Dictionary: StringKeyedDictionary where Key == String, Value: Decodable {
    static func decodeMembers(of node: StrictJSONDecoder.Node) throws -> Self {
        guard case .object(let members) = node.value else { throw node.mismatch([String: Any].self) }
        var decoded: [String: Value] = [:]
        for (member, value) in members {
            decoded[member] = try node.child(value, key: StrictJSONDecoder.Unkeyed.Index(member), member: member).decode(Value.self)
        }
        return decoded
    }
}

extension JSONDocument {
    /// What kind of value this is, for messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer, .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
