import CAtomic

#if canImport(Glibc)
import Glibc
#endif

/// Counters and histograms in one memory region that every process of the pool maps: the
/// master creates it, each worker (of every generation) attaches to it and adds to it with
/// atomic operations. So `/metrics`, served by any worker, shows the whole pool, and a worker
/// that dies (even by `kill -9`) takes nothing with it: what it counted stays in the region.
///
/// The region is a fixed table of series slots, found by hashing the series name with its
/// labels (open addressing); a new series claims a free slot with a compare-and-swap, so two
/// processes never take the same one. A full table drops new series (counted in
/// `tm_metrics_dropped_series_total`) rather than failing a request.
public final class MetricsRegion: @unchecked Sendable {
    /// Latency bucket bounds in seconds (Prometheus' defaults).
    public static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Series the table holds.
    public static let slotCount = 4096
    static let keyCapacity = 200
    // Slot layout (bytes): state u32 | kind u32 | key length u32 | pad u32 | key | count u64 |
    // sum u64 (nanoseconds for histograms, the value for counters and gauges) | buckets u64 × 11.
    static let keyOffset = 16
    static let countOffset = keyOffset + keyCapacity
    static let sumOffset = countOffset + 8
    static let bucketsOffset = sumOffset + 8
    static let slotSize = (bucketsOffset + 8 * bucketBounds.count + 63) / 64 * 64
    static let headerSize = 64
    static let magic: UInt32 = 0x544D_4D31  // "TMM1"
    /// The region's size in bytes.
    public static let size = headerSize + slotCount * slotSize

    /// What a slot holds.
    public enum Kind: UInt32, Sendable {
        /// A monotonically increasing count (`sum` holds it).
        case counter = 1
        /// A value that goes up and down (`sum` holds it as a signed 64-bit number).
        case gauge = 2
        /// Observations in buckets, with their count and sum.
        case histogram = 3
    }

    private let base: UnsafeMutableRawPointer
    private let path: String?
    private let owner: Bool

    private init(base: UnsafeMutableRawPointer, path: String?, owner: Bool) {
        self.base = base
        self.path = path
        self.owner = owner
    }

    deinit {
        munmap(base, Self.size)
        if owner, let path { unlink(path) }
    }

    /// A region for this process alone (tests, commands, a pool started without one).
    public static func local() -> MetricsRegion {
        let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)!
        return MetricsRegion(base: memory, path: nil, owner: false)
    }

    /// Creates the shared region at `path` (under `/dev/shm`), replacing a stale one; it is
    /// removed when this object goes away. Nil when it cannot be made.
    public static func create(path: String) -> MetricsRegion? {
        unlink(path)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard ftruncate(fd, off_t(size)) == 0, let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
            memory != MAP_FAILED
        else {
            unlink(path)
            return nil
        }
        memory.storeBytes(of: magic, as: UInt32.self)
        return MetricsRegion(base: memory, path: path, owner: true)
    }

    /// Attaches to the region at `path` that a master made; nil when there is none.
    public static func attach(path: String) -> MetricsRegion? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_size) == size,
            let memory = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), memory != MAP_FAILED
        else { return nil }
        guard memory.load(as: UInt32.self) == magic else {
            munmap(memory, size)
            return nil
        }
        return MetricsRegion(base: memory, path: path, owner: false)
    }

    /// The path where the master of process `pid` keeps its region.
    public static func path(masterPID: Int32) -> String { "/dev/shm/trademaster-metrics-\(masterPID)" }

    // MARK: Updating

    /// A series' place in the table, found once: updates through it hash nothing.
    public struct Handle: Sendable {
        let slot: Int
        /// The slot's number, to keep in a compact cache.
        public var slotNumber: Int { slot }
        /// The handle of slot `slotNumber` (as ``slotNumber`` gave it).
        public init(slotNumber: Int) { slot = slotNumber }
    }

    /// The handle of `series`, claiming its slot; nil when the table is full.
    public func handle(_ series: String, kind: Kind) -> Handle? {
        slot(for: series, kind: kind).map(Handle.init(slotNumber:))
    }

    /// Adds `value` to the counter (or, with a signed bit pattern, the gauge) at `handle`.
    @inline(__always)
    public func add(_ handle: Handle, _ value: UInt64 = 1) {
        tm_atomic_add_u64(pointer(handle.slot, Self.sumOffset), value)
    }

    /// Records `seconds` in the histogram at `handle`.
    @inline(__always)
    public func observe(_ handle: Handle, seconds: Double) {
        tm_atomic_add_u64(pointer(handle.slot, Self.countOffset), 1)
        tm_atomic_add_u64(pointer(handle.slot, Self.sumOffset), UInt64(max(0, seconds) * 1e9))
        var bucket = 0
        while bucket < Self.bucketBounds.count, seconds > Self.bucketBounds[bucket] { bucket += 1 }
        if bucket < Self.bucketBounds.count { tm_atomic_add_u64(pointer(handle.slot, Self.bucketsOffset + 8 * bucket), 1) }
    }

    /// Adds `value` to counter `series` (a name with its labels, `name{a="b"}`).
    public func add(_ series: String, _ value: UInt64 = 1) {
        guard let slot = slot(for: series, kind: .counter) else { return }
        tm_atomic_add_u64(pointer(slot, Self.sumOffset), value)
    }

    /// Adds `delta` to gauge `series`.
    public func adjust(_ series: String, by delta: Int64) {
        guard let slot = slot(for: series, kind: .gauge) else { return }
        tm_atomic_add_u64(pointer(slot, Self.sumOffset), UInt64(bitPattern: delta))
    }

    /// Sets gauge `series` to `value`.
    public func set(_ series: String, _ value: Int64) {
        guard let slot = slot(for: series, kind: .gauge) else { return }
        tm_atomic_store_u64(pointer(slot, Self.sumOffset), UInt64(bitPattern: value))
    }

    /// Records one observation of `seconds` in histogram `series`.
    public func observe(_ series: String, seconds: Double) {
        guard let slot = slot(for: series, kind: .histogram) else { return }
        tm_atomic_add_u64(pointer(slot, Self.countOffset), 1)
        tm_atomic_add_u64(pointer(slot, Self.sumOffset), UInt64(max(0, seconds) * 1e9))
        if let bucket = Self.bucketBounds.firstIndex(where: { seconds <= $0 }) {
            tm_atomic_add_u64(pointer(slot, Self.bucketsOffset + 8 * bucket), 1)
        }
    }

    // MARK: Reading

    /// One series as read from the table.
    public struct Sample: Sendable {
        /// Name and labels, `name{a="b"}`.
        public var series: String
        /// Its kind.
        public var kind: Kind
        /// Counter or gauge value, or the histogram's sum in seconds.
        public var value: Double
        /// Observations (histograms).
        public var count: UInt64
        /// Observations per bucket, not cumulative (histograms).
        public var buckets: [UInt64]

        /// A gauge computed elsewhere (at scrape time).
        public static func gauge(_ series: String, _ value: Double) -> Sample {
            Sample(series: series, kind: .gauge, value: value, count: 0, buckets: [])
        }

        /// A counter computed elsewhere (at scrape time, from rows that are never deleted).
        public static func counter(_ series: String, _ value: Double) -> Sample {
            Sample(series: series, kind: .counter, value: value, count: 0, buckets: [])
        }
    }

    /// Every series in the table.
    public func samples() -> [Sample] {
        var out: [Sample] = []
        for index in 0..<Self.slotCount {
            let slot = slotBase(index)
            guard tm_atomic_load_u32(slot.assumingMemoryBound(to: UInt32.self)) == 2,
                let kind = Kind(rawValue: slot.load(fromByteOffset: 4, as: UInt32.self))
            else { continue }
            let length = Int(slot.load(fromByteOffset: 8, as: UInt32.self))
            let key = String(decoding: UnsafeRawBufferPointer(start: slot + Self.keyOffset, count: length), as: UTF8.self)
            let raw = tm_atomic_load_u64(pointer(index, Self.sumOffset))
            let value: Double
            switch kind {
            case .counter: value = Double(raw)
            case .gauge: value = Double(Int64(bitPattern: raw))
            case .histogram: value = Double(raw) / 1e9
            }
            let buckets =
                kind == .histogram
                ? (0..<Self.bucketBounds.count).map { tm_atomic_load_u64(pointer(index, Self.bucketsOffset + 8 * $0)) } : []
            out.append(
                Sample(
                    series: key, kind: kind, value: value, count: tm_atomic_load_u64(pointer(index, Self.countOffset)),
                    buckets: buckets))
        }
        return out
    }

    // MARK: The table

    private func slotBase(_ index: Int) -> UnsafeMutableRawPointer { base + Self.headerSize + index * Self.slotSize }

    private func pointer(_ index: Int, _ offset: Int) -> UnsafeMutablePointer<UInt64> {
        (slotBase(index) + offset).assumingMemoryBound(to: UInt64.self)
    }

    /// The slot of `series`, claiming a free one for a new series; nil when the key is too
    /// long or the table is full.
    private func slot(for series: String, kind: Kind) -> Int? {
        var key = series
        return key.withUTF8 { bytes -> Int? in
            guard bytes.count <= Self.keyCapacity else { return nil }
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            var index = Int(hash % UInt64(Self.slotCount))
            for _ in 0..<Self.slotCount {
                let slot = slotBase(index)
                let state = slot.assumingMemoryBound(to: UInt32.self)
                switch tm_atomic_load_u32(state) {
                case 0:
                    if tm_atomic_cas_u32(state, 0, 1) != 0 {
                        slot.storeBytes(of: kind.rawValue, toByteOffset: 4, as: UInt32.self)
                        slot.storeBytes(of: UInt32(bytes.count), toByteOffset: 8, as: UInt32.self)
                        (slot + Self.keyOffset).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
                        tm_atomic_store_u32(state, 2)
                        return index
                    }
                    continue  // lost the race for this slot: look at it again
                case 1:
                    // Another process is writing this slot's key: wait for it to finish.
                    while tm_atomic_load_u32(state) == 1 { sched_yield() }
                    continue
                default:
                    let length = Int(slot.load(fromByteOffset: 8, as: UInt32.self))
                    if length == bytes.count, memcmp(slot + Self.keyOffset, bytes.baseAddress!, length) == 0 { return index }
                }
                index = (index + 1) % Self.slotCount
            }
            return nil
        }
    }
}
