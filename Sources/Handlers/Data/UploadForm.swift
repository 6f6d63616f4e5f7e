import Foundation
import Models
import TMFcgi

/// The fields of an upload besides its file, from the form or the query, validated.
struct UploadForm {
    var fields: [String: String] = [:]

    static let nameRules = TextField(field: "name", label: "name", code: "name", lengths: 1...200)
    static let descriptionRules = TextField(field: "description", label: "description", code: "description", lengths: 0...2000)
    static let symbolRules = TextField(field: "symbol", label: "symbol", code: "symbol", lengths: 1...64)
    static let tagRules = TextField(field: "tags", label: "each tag", code: "tags", lengths: 1...50)
    /// The names an upload understands.
    static let names: Set<String> = ["name", "description", "tags", "timezone", "symbol", "dedupe"]

    /// The tags of a comma-separated list, trimmed, without duplicates, at most 20.
    static func tags(_ text: String, pointer: String, errors: inout [FieldError]) -> [String] {
        var issues: [ValidationIssue] = []
        var tags: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: true) {
            let tag = tagRules.normalize(String(piece), issues: &issues)
            if !tag.isEmpty && !tags.contains(tag) { tags.append(tag) }
        }
        if tags.count > 20 { errors.append(FieldError(pointer: pointer, detail: "at most 20 tags")) }
        errors += issues.map { FieldError(pointer: pointer, detail: $0.message) }
        return tags
    }

    /// The draft, or a 422 naming every bad field; `filename` names a wide file's symbol by default.
    func draft(filename: String?) throws -> DatasetDraft {
        var errors: [FieldError] = []
        var issues: [ValidationIssue] = []
        let name = Self.nameRules.normalize(fields["name"] ?? "", issues: &issues)
        let description = Self.descriptionRules.normalize(fields["description"] ?? "", issues: &issues)
        let base = filename.map { ($0 as NSString).lastPathComponent }.map { ($0 as NSString).deletingPathExtension }
        let symbol = Self.symbolRules.normalize(fields["symbol"] ?? base.flatMap { $0.isEmpty ? nil : $0 } ?? name, issues: &issues)
        errors += issues.map { FieldError(pointer: $0.field, detail: $0.message) }
        let tags = Self.tags(fields["tags"] ?? "", pointer: "tags", errors: &errors)
        let timezone = fields["timezone"].map(TextField.trimmed) ?? "UTC"
        if timezone.unicodeScalars.count > 64 || TimeZone(identifier: timezone) == nil {
            errors.append(FieldError(pointer: "timezone", detail: "must be an IANA time zone name like UTC or America/New_York"))
        }
        var dedupe: DatasetDraft.Dedupe?
        if let text = fields["dedupe"] {
            dedupe = DatasetDraft.Dedupe(rawValue: text)
            if dedupe == nil { errors.append(FieldError(pointer: "dedupe", detail: "must be first or last")) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors, detail: "The upload has invalid fields.") }
        return DatasetDraft(name: name, description: description, symbol: symbol, tags: tags, timezone: timezone, dedupe: dedupe)
    }
}
