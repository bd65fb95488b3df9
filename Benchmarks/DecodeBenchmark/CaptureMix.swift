// Real captures held in memory for the decode benchmarks: which files make up
// each mix, and one contiguous buffer of their frames.

import CrosswireCapture
import CrosswireDecoder
import Foundation

/// Where the captures are: the repository (for `pcaps/`) and the shared corpus.
enum CapturePaths {
    /// The repository root: two folders above this file (`Benchmarks/DecodeBenchmark/`).
    static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The conformance corpus: `$CROSSWIRE_CORPUS`, else the repository's `Tests/Corpus`.
    static let corpus: URL = {
        if let path = ProcessInfo.processInfo.environment["CROSSWIRE_CORPUS"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return repository.appendingPathComponent("Tests/Corpus")
    }()

    /// One row of a corpus `MANIFEST.tsv`: the file, whether it is malformed, and its groups.
    struct ManifestEntry {
        var path: String
        var malformed: Bool
        var groups: Set<String>
    }

    /// Every row of `corpus/tcpdump/MANIFEST.tsv` and `corpus/generated/MANIFEST.tsv` whose file exists.
    static func corpusEntries() -> [ManifestEntry] {
        var entries: [ManifestEntry] = []
        for part in ["generated", "tcpdump"] {
            let dir = corpus.appendingPathComponent(part)
            guard let text = try? String(contentsOf: dir.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8) else {
                continue
            }
            var columns: [String: Int] = [:]
            for (n, line) in text.split(separator: "\n").enumerated() {
                let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if n == 0 {
                    for (i, name) in cells.enumerated() { columns[name] = i }
                    continue
                }
                guard let fileColumn = columns["file"], fileColumn < cells.count else { continue }
                func cell(_ name: String) -> String {
                    guard let i = columns[name], i < cells.count else { return "" }
                    return cells[i]
                }
                let path = dir.appendingPathComponent("pcaps").appendingPathComponent(cells[fileColumn]).path
                guard FileManager.default.fileExists(atPath: path) else { continue }
                entries.append(ManifestEntry(
                    path: path,
                    malformed: cell("malformed") != "no",
                    groups: Set(cell("groups").split(separator: ",").map(String.init))))
            }
        }
        return entries
    }

    /// The repository's own captures: `pcaps/**/*.pcap` (none when the folder is missing).
    static func repositoryCaptures() -> [String] {
        let root = repository.appendingPathComponent("pcaps")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker where url.pathExtension == "pcap" { paths.append(url.path) }
        return paths.sorted()
    }
}

/// The frames of some captures, back to back in one buffer, decoded in a
/// cycle one frame per benchmark iteration.
final class CaptureMix: @unchecked Sendable {
    let name: String
    let paths: [String]

    private(set) var bytes: [UInt8] = []
    private(set) var starts: [Int] = []
    private(set) var lengths: [Int] = []
    private(set) var originalLengths: [Int] = []
    private(set) var linkTypes: [LinkType] = []
    private(set) var filesRead: [String] = []
    private(set) var skipped: [String] = []
    private(set) var loaded = false

    /// The next frame to decode.
    private var cursor = 0
    private var packet = DecodedPacket()
    private let decoder = PacketDecoder()
    /// Something derived from every decode, so that none can be optimised away.
    private(set) var checksum = 0

    init(name: String, paths: [String]) {
        self.name = name
        self.paths = paths
    }

    var frameCount: Int { starts.count }
    var byteCount: Int { bytes.count }

    /// Reads every frame of every path through `CaptureFileReader` (once), and
    /// decodes them all once so that the measured iterations find a warm decoder.
    func load() {
        guard !loaded else { return }
        loaded = true
        for path in paths {
            var reader: CaptureFileReader
            do {
                reader = try CaptureFileReader(path: path)
            } catch {
                skipped.append("\((path as NSString).lastPathComponent): \(error)")
                continue
            }
            let linkType = reader.linkType
            do {
                try reader.forEachFrame { info, span in
                    starts.append(bytes.count)
                    lengths.append(span.byteCount)
                    originalLengths.append(info.originalLength)
                    linkTypes.append(linkType)
                    span.withUnsafeBytes { bytes.append(contentsOf: $0) }
                    return true
                }
            } catch {
                // A capture cut short: its complete frames are kept.
                skipped.append("\((path as NSString).lastPathComponent) (partly): \(error)")
            }
            filesRead.append(path)
        }
        // The warm-up pass: every frame once.
        _ = decode(count: frameCount)
        let average = frameCount == 0 ? 0 : byteCount / frameCount
        var line = "[\(name)] \(frameCount) frames, \(byteCount) bytes (\(average) B/frame) from \(filesRead.count) captures"
        if !skipped.isEmpty { line += "; skipped: \(skipped.joined(separator: ", "))" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Decodes the next `count` frames of the cycle. Returns the bytes decoded.
    @inline(never)
    func decode(count: Int) -> Int {
        let n = frameCount
        guard n > 0 else { return 0 }
        let starts = self.starts, lengths = self.lengths
        let originalLengths = self.originalLengths, linkTypes = self.linkTypes
        let decoder = self.decoder
        var packet = self.packet
        var cursor = self.cursor
        var sum = checksum
        var decodedBytes = 0
        bytes.withUnsafeBytes { raw in
            for _ in 0..<count {
                let i = cursor
                cursor += 1
                if cursor == n { cursor = 0 }
                let frame = UnsafeRawBufferPointer(rebasing: raw[starts[i]..<(starts[i] + lengths[i])])
                decoder.decode(frame.bytes, linkType: linkTypes[i], originalLength: originalLengths[i], into: &packet)
                sum &+= packet.layerCount &+ (packet.stop == nil ? 0 : 1)
                decodedBytes &+= lengths[i]
            }
        }
        self.packet = packet
        self.cursor = cursor
        checksum = sum
        return decodedBytes
    }
}
