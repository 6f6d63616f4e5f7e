// embed-text INPUT OUTPUT TYPE PROPERTY: writes a Swift file that declares
// `extension TYPE { static let PROPERTY: String }` holding INPUT's non-empty lines, joined by
// "\n", as one raw string literal. The build-tool plugin `EmbedCommonPasswords` runs it so a
// data file ships inside the binary (no SwiftPM resource bundle to lose when the binary is
// copied elsewhere). One literal compiles in well under a second; an array literal of
// 20,000 elements takes minutes.
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 5 else {
    FileHandle.standardError.write(Data("usage: embed-text INPUT OUTPUT TYPE PROPERTY\n".utf8))
    exit(64)
}
let (input, output, type, property) = (arguments[1], arguments[2], arguments[3], arguments[4])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("embed-text: \(input): \(message)\n".utf8))
    exit(1)
}

guard let data = FileManager.default.contents(atPath: input), let text = String(data: data, encoding: .utf8) else {
    fail("cannot read it as UTF-8")
}
let entries = text.split(separator: "\n", omittingEmptySubsequences: true)
for entry in entries {
    let control = entry.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    if control || entry.first!.isWhitespace || entry.last!.isWhitespace {
        fail("unexpected whitespace or control character in entry \(String(reflecting: String(entry)))")
    }
}
let body = entries.joined(separator: "\n")
// Enough '#' that no entry can close the raw literal early or start an escape.
var hashes = "#"
while body.contains("\"\"\"" + hashes) || body.contains("\\" + hashes) { hashes += "#" }
let source = """
    // GENERATED at build time by embed-text from \((input as NSString).lastPathComponent): do not edit.
    // \(entries.count) entries.

    extension \(type) {
        /// The file's lines, one entry a line.
        static let \(property): String = \(hashes)\"\"\"
    \(body)
    \"\"\"\(hashes)
    }

    """
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
} catch {
    fail("cannot write \(output): \(error)")
}
