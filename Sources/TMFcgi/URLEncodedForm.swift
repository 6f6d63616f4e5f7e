/// `application/x-www-form-urlencoded` text, as in query strings and form bodies: the one
/// parser for both, with one failure rule. A malformed escape, bytes that are not UTF-8, or
/// a control character (a NUL would cut the value short in libpq) make the whole text a
/// 400 problem; the last value wins for a repeated name.
public enum URLEncodedForm {
    /// The fields of `text`; `source` names it in the problem ("query string", "form body").
    public static func parse(_ text: some StringProtocol, source: String) throws -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(String(parts[0]), plusAsSpace: true),
                let value = parts.count > 1 ? PercentDecoding.decode(String(parts[1]), plusAsSpace: true) : ""
            else {
                throw Problem(.badRequest, detail: "The \(source) has a malformed percent-escape or is not UTF-8.")
            }
            guard !name.hasControlCharacter, !value.hasControlCharacter, !name.contains("\n"), !value.contains("\n") else {
                throw Problem(.badRequest, detail: "The \(source) contains a control character.")
            }
            fields[name] = value
        }
        return fields
    }
}
