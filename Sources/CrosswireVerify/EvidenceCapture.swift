// `--evidence FILE.pcap`: every frame cited as evidence, copied from the
// captures with their original timestamps, so that a user opens exactly the
// offending packets in Wireshark.

import CrosswireCapture
import CrosswireDecoder
import CrosswireVerdict

/// Writes the frames a verdict cites into pcap files.
public enum EvidenceCapture {
    /// Writes every cited frame to `path` (frames of captures with another link
    /// type than the first go to `path` with `-<LINKTYPE>` before its extension).
    /// Returns the files written and how many frames each holds.
    public static func write(_ verdict: Verdict, to path: String) throws(CaptureError) -> [(path: String, frames: Int)] {
        // By capture id; evidence read back from JSON has none and goes by path.
        var wanted = Array(repeating: Set<Int>(), count: verdict.captures.count)
        for check in verdict.checks {
            for e in check.evidence {
                if let i = e.captureIndex, wanted.indices.contains(i) {
                    wanted[i].insert(e.frame)
                } else {
                    for (i, c) in verdict.captures.enumerated() where c.path == e.capture { wanted[i].insert(e.frame) }
                }
            }
        }
        var writers: [UInt32: (path: String, count: Int)] = [:]
        var firstLinkType: LinkType?
        var outputs: [UInt32: CaptureFileWriterBox] = [:]
        for (index, capture) in verdict.captures.map(\.path).enumerated() {
            let frames = wanted[index]
            guard !frames.isEmpty else { continue }
            var reader = try CaptureFileReader(path: capture)
            let linkType = reader.linkType
            if firstLinkType == nil { firstLinkType = linkType }
            let target: String
            if linkType == firstLinkType {
                target = path
            } else {
                let dot = path.lastIndex(of: ".") ?? path.endIndex
                target = "\(path[..<dot])-\(reader.linkTypeName)\(path[dot...])"
            }
            if outputs[linkType.rawValue] == nil {
                outputs[linkType.rawValue] = CaptureFileWriterBox(try CaptureFileWriter(path: target, linkType: linkType))
                writers[linkType.rawValue] = (target, 0)
            }
            let out = outputs[linkType.rawValue]!
            var count = 0
            do {
                try reader.forEachFrame { info, bytes in
                    if frames.contains(info.number) {
                        bytes.withUnsafeBytes { out.writer.write($0, info: info) }
                        count += 1
                    }
                    return true
                }
            } catch {
                // A cut capture: the frames before the cut are written.
            }
            writers[linkType.rawValue]!.count += count
        }
        for box in outputs.values { box.writer.flush() }
        return writers.values.sorted { $0.path < $1.path }.map { ($0.path, $0.count) }
    }
}

/// Holds a non-copyable writer in a dictionary.
final class CaptureFileWriterBox {
    let writer: CaptureFileWriter
    init(_ writer: consuming CaptureFileWriter) { self.writer = writer }
}
