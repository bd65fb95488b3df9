// The memory-mapped reader gives exactly what libpcap gives: every frame's
// bytes, lengths and timestamps, the invalid-timestamp count, and the same
// error at the same frame for a cut or corrupt file.

import CrosswireCapture
import Foundation
import Testing

struct MappedReaderTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found")
    }()

    /// Every capture: the lab's and the conformance corpus's (Tests/Corpus).
    static func captures() -> [String] {
        var paths: [String] = []
        let fm = FileManager.default
        for dir in [root.appendingPathComponent("pcaps")] {
            if let walker = fm.enumerator(at: dir, includingPropertiesForKeys: nil) {
                for case let url as URL in walker where url.pathExtension == "pcap" { paths.append(url.path) }
            }
        }
        let corpus = root.appendingPathComponent("Tests/Corpus")
        for part in ["tcpdump", "generated"] {
            let dir = corpus.appendingPathComponent("\(part)/pcaps")
            for name in (try? fm.contentsOfDirectory(atPath: dir.path)) ?? [] { paths.append(dir.appendingPathComponent(name).path) }
        }
        return paths.sorted()
    }

    struct Reading: Equatable {
        var frames: [String] = []
        var invalidTimestamps = 0
        var error: String?
        var linkType: UInt32 = 0
    }

    static func read(_ path: String, memoryMap: Bool) -> (Reading, mapped: Bool) {
        var r = Reading()
        do {
            var reader = try CaptureFileReader(path: path, memoryMap: memoryMap, mapMinimumSize: 0)
            let mapped = reader.isMemoryMapped
            r.linkType = reader.linkType.rawValue
            do {
                try reader.forEachFrame { info, bytes in
                    let data = bytes.withUnsafeBytes { Array($0) }
                    r.frames.append("\(info.number) \(info.seconds).\(info.nanoseconds) \(info.capturedLength)/\(info.originalLength) \(data.hashValue)")
                    return true
                }
            } catch {
                r.error = error.description
            }
            r.invalidTimestamps = reader.invalidTimestamps
            return (r, mapped)
        } catch {
            r.error = error.description
            return (r, false)
        }
    }

    @Test func bothPathsAgreeOnEveryCapture() throws {
        let paths = Self.captures()
        #expect(paths.count >= 20)
        var mappedCount = 0
        for path in paths {
            let (viaLibpcap, _) = Self.read(path, memoryMap: false)
            let (viaMapping, mapped) = Self.read(path, memoryMap: true)
            if mapped { mappedCount += 1 }
            #expect(viaMapping == viaLibpcap, "\(path): the mapped reader differs from libpcap")
        }
        print("mapped reader: \(mappedCount) of \(paths.count) captures read through the mapping, all identical to libpcap")
        #expect(mappedCount >= 10)
    }

    /// Cut files hand over to libpcap at the cut: the same frames and the same error.
    @Test func cutFilesHandOverToLibpcap() throws {
        let source = Self.root.appendingPathComponent("pcaps/10-vxlan-8472/host1-eth0.pcap")
        let data = try Data(contentsOf: source)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-mapped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var cuts = 0
        for cut in stride(from: 24, to: data.count, by: max(1, data.count / 97)) {
            let path = dir.appendingPathComponent("cut-\(cut).pcap").path
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            let (a, _) = Self.read(path, memoryMap: false)
            let (b, mapped) = Self.read(path, memoryMap: true)
            #expect(mapped)
            #expect(a == b, "cut at \(cut)")
            cuts += 1
        }
        #expect(cuts > 50)
    }
}
