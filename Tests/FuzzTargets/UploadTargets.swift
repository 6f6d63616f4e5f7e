import Models
import Quant
import TMFcgi

/// Targets over what an upload reads: the price-file parsers, multipart bodies and gzip.
enum UploadTargets {
    /// Splits `bytes` into chunks whose sizes come from `sizes` (a body arrives in pieces;
    /// a line, a delimiter or a UTF-8 sequence may be cut anywhere).
    static func chunks(_ bytes: [UInt8], sizes seed: UInt8) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var start = 0
        var size = Int(seed % 64) + 1
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            out.append(Array(bytes[start..<end]))
            start = end
            size = size * 7 % 61 + 1
        }
        return out
    }

    /// The upload route's parser (`BarFileParser`, Quant's row reader with the dataset rules),
    /// fed in pieces, writing `bars` rows directly (first byte odd) or staging rows.
    static func barFile(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        parseBarFile(chunks(Array(bytes.dropFirst()), sizes: first), direct: first & 1 == 1)
    }

    static func parseBarFile(_ pieces: [[UInt8]], direct: Bool) {
        var parser = BarFileParser()
        if direct {
            parser.datasetID = 7
            parser.wideSymbol = "FUZZ"
        }
        var written = 0
        let sink: ([UInt8], BarFileParser.Target) throws -> Void = { text, _ in written += text.count }
        do {
            for piece in pieces { try piece.withUnsafeBufferPointer { try parser.feed($0, into: sink) } }
            try parser.finish(into: sink)
        } catch {}
        _ = (parser.columns, parser.issues, parser.errorCount, parser.rowCount, parser.layout, written)
    }

    /// `tm backtest`'s and the analysis routes' reader (`OHLCVCSVReader`, the series rules), whole and in pieces.
    /// The whole buffer (read straight into its columns when of the usual layout) gives what
    /// the stream gives: the same series or the same error, or the target traps.
    static func csvSeries(_ bytes: [UInt8]) {
        let whole = Result { () throws(CSVError) in try OHLCVCSVReader.parse(bytes) }
        if case .success(let series) = whole {
            _ = series.splitBySymbol()
            _ = try? PortfolioUniverse(series)
        }
        guard let first = bytes.first else { return }
        let streamed = Result { () throws(CSVError) in
            var reader = OHLCVCSVReader()
            for piece in chunks(bytes, sizes: first) { try reader.feed(piece) }
            return try reader.finish()
        }
        if streamed != whole { fatalError("csv-series: the whole buffer and the stream differ") }
        var reader = OHLCVCSVReader(maximumIssues: 3, maximumLineLength: 256)
        do {
            for piece in chunks(Array(bytes.dropFirst()), sizes: first) { try reader.feed(piece) }
            _ = try reader.finish()
        } catch {}
    }

    /// The upload route's multipart path: the `Content-Type` is the input's first line, the
    /// body the rest; every part is read in chunks, and the file part goes (through gzip when
    /// it says so) into the price-file parser, as `UploadHandlers` does.
    static func multipart(_ bytes: [UInt8]) {
        let newline = bytes.firstIndex(of: 10) ?? bytes.count
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = newline < bytes.count ? Array(bytes[(newline + 1)...]) : []
        do {
            var reader = try MultipartReader(body: RequestBody(bytes: body, limit: 1 << 20), contentType: contentType)
            while let part = try reader.nextPart() {
                _ = (part.name, part.filename, part.contentType)
                var content: [[UInt8]] = []
                while let chunk = try reader.readChunk() { content.append(chunk) }
                guard part.name == "file" else { continue }
                let gzipped =
                    part.contentType == "application/gzip" || part.contentType == "application/x-gzip"
                    || (part.filename?.lowercased().hasSuffix(".gz") ?? false)
                if gzipped {
                    let decoder = try GzipDecoder(maximumOutputBytes: 1 << 20)
                    var inflated: [[UInt8]] = []
                    for piece in content { try decoder.feed(piece) { inflated.append(Array($0)) } }
                    try decoder.finish()
                    content = inflated
                }
                parseBarFile(content, direct: false)
            }
        } catch {}
    }

    /// `GzipDecoder` (upload bodies and gzipped file parts), fed in pieces, with an output
    /// limit small enough that bombs hit it.
    static func gzip(_ bytes: [UInt8]) {
        guard let first = bytes.first, let decoder = try? GzipDecoder(maximumOutputBytes: 1 << 20) else { return }
        var produced = 0
        do {
            for piece in chunks(Array(bytes.dropFirst()), sizes: first) { try decoder.feed(piece) { produced += $0.count } }
            try decoder.finish()
        } catch {}
        precondition(produced <= 1 << 20, "GzipDecoder passed its output limit")
    }
}
