import CLibPQ
import Foundation

extension PostgresConnection {
    /// Runs `PQexecParams` with `sql`'s parameters: text ones as C strings, binary ones as
    /// their bytes with their lengths and format 1. The result's format is binary when
    /// `binaryResult`. Nil when libpq could not send the statement.
    func execParams(_ sql: SQL, binaryResult: Bool) -> OpaquePointer? {
        let parameters = sql.parameters
        let count = parameters.count
        var values = [UnsafePointer<CChar>?](repeating: nil, count: count)
        var lengths = [Int32](repeating: 0, count: count)
        var formats = [Int32](repeating: 0, count: count)
        var allocated: [UnsafeMutableRawPointer] = []
        allocated.reserveCapacity(count)
        defer { allocated.forEach { free($0) } }
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .text(nil):
                break
            case .text(let text?):
                let copy = strdup(text)!
                allocated.append(copy)
                values[index] = UnsafePointer(copy)
            case .binary(let bytes):
                let copy = malloc(max(1, bytes.count))!
                bytes.withUnsafeBytes { if let base = $0.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) } }
                allocated.append(copy)
                values[index] = UnsafePointer(copy.assumingMemoryBound(to: CChar.self))
                lengths[index] = Int32(bytes.count)
                formats[index] = 1
            }
        }
        return PQexecParams(handle, sql.text, Int32(count), nil, &values, &lengths, &formats, binaryResult ? 1 : 0)
    }
}
