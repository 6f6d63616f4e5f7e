import Foundation
import PostgresClient

/// The chunk records of an upload (see ``BarChunkBuilder``) kept in an unlinked temporary
/// file until the file is known good, then written to `bar_chunks` (or a temporary table) in
/// one binary COPY. Nothing reaches PostgreSQL before that, so a refused upload leaves no rows
/// and no dead tuples; the file goes with its descriptor (when the upload ends, or if the
/// process dies).
final class BarChunkSpill {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    /// Records written.
    private(set) var count = 0

    /// An empty spill in the temporary directory (`TMPDIR`); none to be had is
    /// ``DatasetError/diskFull``.
    init() throws {
        let path = NSTemporaryDirectory() + "/tm-upload-\(UUID().uuidString).chunks"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = try? FileHandle(forUpdating: URL(fileURLWithPath: path))
        else {
            throw DatasetError.diskFull
        }
        self.handle = handle
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit {
        try? handle.close()
    }

    /// Appends whole records.
    func append(_ records: [UInt8]) throws {
        pending.append(contentsOf: records)
        if pending.count >= 4 << 20 { try flush() }
    }

    /// Writes what is pending; a write that fails (the temporary directory's disk is full) is
    /// ``DatasetError/diskFull``, as a full database disk is.
    private func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw DatasetError.diskFull
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes every record into `COPY table (dataset_id, symbol, first_ts, last_ts, bar_count,
    /// ts, open, high, low, close, volume, extra) FROM STDIN (FORMAT binary)` on `writer`, the
    /// symbol of index `k` named by `symbol(k)`; finishes the COPY.
    func copy(into writer: CopyWriter, datasetID: Int64, symbol: (Int) -> String) throws {
        try flush()
        try handle.seek(toOffset: 0)
        try writer.write(CopyTuple.header)
        var names: [Int: String] = [:]
        var tuple = CopyTuple()
        while let header = try handle.read(upToCount: 8), header.count == 8 {
            let (k, length) = header.withUnsafeBytes {
                (Int($0.loadUnaligned(as: Int32.self)), Int($0.loadUnaligned(fromByteOffset: 4, as: Int32.self)))
            }
            guard let payload = try handle.read(upToCount: length), payload.count == length else {
                throw DatasetError.badFile("The upload's staged chunks could not be read back.")
            }
            let name = names[k] ?? symbol(k)
            names[k] = name
            // The first two of the 12 fields; the record holds the other ten.
            tuple.start(fields: 12)
            tuple.append(datasetID)
            tuple.append(text: name)
            try writer.write(tuple.bytes)
            try payload.withUnsafeBytes { try writer.write($0) }
        }
        try writer.write(CopyTuple.trailer)
        try writer.finish()
    }
}
