// The evidence ring: every captured frame goes to a rotating set of pcap files
// of bounded total size, so that a failing check's evidence frames can be
// opened in Wireshark. Files that hold evidence of a failing check are pinned
// and outlive rotation while the check fails; the bound still wins (when only
// pinned files are left to delete, the oldest pinned one goes), so the ring
// never holds more than its size.

import CrosswireCapture
import CrosswireDecoder
import CrosswireVerdict
import Foundation

/// Rotating pcap files per interface, `DIR/<iface>-<sequence>.pcap`.
public final class EvidenceRing {
    /// One file of the ring: which interface, and which of its frames it holds.
    public struct File: Sendable, Equatable {
        public var path: String
        public var interface: Int
        /// The interface's frame number (as LiveCapture counts them) of the file's first frame.
        public var firstFrame: Int
        public var frames: Int
        public var bytes: Int
        public var pinned: Bool
    }

    public let directory: String
    public let totalBytes: Int
    /// Files kept per interface before rotation deletes the oldest (the ring's granularity).
    public static let filesPerInterface = 8
    public let fileBytes: Int
    private let interfaces: [WatchedInterface]
    private let snapLength: Int32
    /// One open file per interface (boxed: the writer is ~Copyable, an array's elements are not).
    private final class OpenFile {
        var writer: CaptureFileWriter?
    }
    private let writers: [OpenFile]
    private var sequence: [Int]
    /// Oldest first.
    public private(set) var files: [File] = []
    /// Files deleted while pinned, because the size bound left no other choice.
    public private(set) var pinnedEvictions = 0

    /// Creates `directory` if needed; `totalBytes` bounds every file of the ring together.
    public init(directory: String, totalBytes: Int, interfaces: [WatchedInterface], snapLength: Int32) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.totalBytes = totalBytes
        self.interfaces = interfaces
        self.snapLength = snapLength
        // A file of at least 64 KiB, so a tiny ring still rotates sensibly (24-byte header and 16 per record count too).
        fileBytes = max(65_536, totalBytes / (Self.filesPerInterface * max(1, interfaces.count)))
        writers = interfaces.map { _ in OpenFile() }
        sequence = Array(repeating: 0, count: interfaces.count)
    }

    /// Appends one frame of interface `index`, opening or rotating its file as needed.
    public func write(interface index: Int, info: FrameInfo, bytes: borrowing RawSpan) {
        let record = 16 + info.capturedLength
        let current = files.lastIndex { $0.interface == index }
        if writers[index].writer == nil || current.map({ files[$0].bytes + record > fileBytes && files[$0].frames > 0 }) == true {
            open(interface: index, firstFrame: info.number)
        }
        guard let i = files.lastIndex(where: { $0.interface == index }) else { return }
        bytes.withUnsafeBytes { raw in writers[index].writer?.write(raw, info: info) }
        files[i].frames += 1
        files[i].bytes += record
    }

    /// Pushes written frames to disk (after each batch, so a crash loses nothing read).
    public func flush() {
        for w in writers { w.writer?.flush() }
    }

    private func open(interface index: Int, firstFrame: Int) {
        writers[index].writer = nil  // closes (and flushes) the previous file
        sequence[index] += 1
        let name = "\(interfaces[index].name)-\(String(format: "%06d", sequence[index])).pcap"
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            writers[index].writer = try CaptureFileWriter(path: path, linkType: interfaces[index].linkType, snapLength: snapLength)
        } catch {
            return
        }
        files.append(File(path: path, interface: index, firstFrame: firstFrame, frames: 0, bytes: 24, pinned: false))
        enforceBound()
    }

    /// Deletes the oldest closed files until the ring fits its size, sparing pinned ones while it can.
    private func enforceBound() {
        func total() -> Int { files.reduce(0) { $0 + $1.bytes } + fileBytes }  // the open file may still grow to fileBytes
        while total() > totalBytes {
            let open = Set(interfaces.indices.compactMap { i in files.lastIndex { $0.interface == i } })
            let closed = files.indices.filter { !open.contains($0) }
            guard let victim = closed.first(where: { !files[$0].pinned }) ?? closed.first else { return }
            if files[victim].pinned { pinnedEvictions += 1 }
            try? FileManager.default.removeItem(atPath: files[victim].path)
            files.remove(at: victim)
        }
    }

    /// The ring file holding frame `frame` of interface `index`, and the frame's number in that file.
    public func locate(interface index: Int, frame: Int) -> (file: File, frame: Int)? {
        guard let f = files.last(where: { $0.interface == index && $0.firstFrame <= frame && frame < $0.firstFrame + $0.frames }) else {
            return nil
        }
        return (f, frame - f.firstFrame + 1)
    }

    /// Points the evidence of `verdict` (named by interface, numbered as the interface counts frames)
    /// into the ring files, and pins the files cited by failing checks (unpinning the rest).
    public func cite(_ verdict: Verdict) -> Verdict {
        var out = verdict
        var pinned = Set<String>()
        for c in out.checks.indices {
            let failing = out.checks[c].status == .fail
            out.checks[c].evidence = out.checks[c].evidence.map { e in
                guard let index = interfaces.firstIndex(where: { $0.name == e.capture }),
                    let (file, frame) = locate(interface: index, frame: e.frame)
                else { return e }
                if failing { pinned.insert(file.path) }
                return Evidence(capture: file.path, frame: frame, detail: e.detail)
            }
        }
        for i in files.indices { files[i].pinned = pinned.contains(files[i].path) }
        return out
    }

    /// Bytes of every ring file together.
    public var bytesOnDisk: Int { files.reduce(0) { $0 + $1.bytes } }
}

/// Sizes as `512MiB`, `64M`, `1GiB`, `1000000` (bytes); nil when unreadable.
public func parseByteSize(_ text: String) -> Int? {
    let units: [(String, Int)] = [
        ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000),
        ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1),
    ]
    let t = text.trimmingCharacters(in: .whitespaces)
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        guard let n = Double(t.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), n > 0 else { return nil }
        return Int(n * Double(factor))
    }
    guard let n = Int(t), n > 0 else { return nil }
    return n
}

/// Durations as `5m`, `30s`, `1h`, `500ms`, `90` (seconds); nil when unreadable or not positive.
public func parseDurationSeconds(_ text: String) -> Double? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    let t = text.trimmingCharacters(in: .whitespaces)
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        guard let n = Double(t.dropLast(suffix.count)), n > 0 else { return nil }
        return n * factor
    }
    guard let n = Double(t), n > 0 else { return nil }
    return n
}
