/// The fields of a PHC-format Argon2id string `$argon2id$v=19$m=M,t=T,p=P$salt$hash`,
/// parsed only to read its parameters; libargon2 does the actual verification.
struct Argon2Encoded: Equatable {
    /// `v`: 19 for Argon2 1.3.
    var version: UInt32
    /// `m`, in KiB.
    var memoryKiB: UInt32
    /// `t`.
    var iterations: UInt32
    /// `p`.
    var parallelism: UInt32
    /// Salt length in bytes.
    var saltLength: Int
    /// Hash length in bytes.
    var hashLength: Int

    /// `nil` unless `encoded` is a well-formed Argon2id string with unpadded base64 salt and hash.
    init?(_ encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty, fields[1] == "argon2id",
            fields[2].hasPrefix("v="), let version = UInt32(fields[2].dropFirst(2))
        else { return nil }
        var params: [Substring: UInt32] = [:]
        for pair in fields[3].split(separator: ",", omittingEmptySubsequences: false) {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard kv.count == 2, let value = UInt32(kv[1]), params[kv[0]] == nil else { return nil }
            params[kv[0]] = value
        }
        guard params.count == 3, let m = params["m"], let t = params["t"], let p = params["p"],
            let salt = Self.decodedLength(fields[4]), let hash = Self.decodedLength(fields[5])
        else { return nil }
        self.version = version
        self.memoryKiB = m
        self.iterations = t
        self.parallelism = p
        self.saltLength = salt
        self.hashLength = hash
    }

    /// The byte length of unpadded standard base64 text, or `nil` if it is not such text.
    private static func decodedLength(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.count % 4 != 1,
            text.utf8.allSatisfy({
                $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/")
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
            })
        else { return nil }
        return text.utf8.count * 3 / 4
    }
}
