// A tiny test-only reader of capture files: classic pcap (micro- and
// nanosecond, either byte order) and pcapng (SHB, IDB, EPB, SPB), enough to
// feed the corpus to the decoder without libpcap.
import Foundation
import CrosswireDecoder

struct CapturedFrame {
    var number: Int
    var linkType: LinkType
    var bytes: [UInt8]
    var originalLength: Int
    /// Nanoseconds since the epoch.
    var timestamp: Int64
}

enum CaptureFileReader {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func read(_ path: String) throws -> [CapturedFrame] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read \(path)") }
        let b = [UInt8](data)
        guard b.count >= 4 else { return [] }
        let magicBE = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        if magicBE == 0x0A0D0D0A { return try readPcapng(b) }
        return try readPcap(b)
    }

    static func u32(_ b: [UInt8], _ i: Int, little: Bool) -> UInt32 {
        let v = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
        return little ? v : v.byteSwapped
    }

    static func u16(_ b: [UInt8], _ i: Int, little: Bool) -> UInt16 {
        let v = UInt16(b[i]) | UInt16(b[i + 1]) << 8
        return little ? v : v.byteSwapped
    }

    static func readPcap(_ b: [UInt8]) throws -> [CapturedFrame] {
        guard b.count >= 24 else { throw Failure(description: "short pcap header") }
        let magic = u32(b, 0, little: true)
        let little: Bool, nano: Bool
        switch magic {
        case 0xA1B2C3D4: little = true; nano = false
        case 0xD4C3B2A1: little = false; nano = false
        case 0xA1B23C4D: little = true; nano = true
        case 0x4D3CB2A1: little = false; nano = true
        default: throw Failure(description: "not a capture file")
        }
        let link = LinkType(rawValue: u32(b, 20, little: little) & 0x0FFF_FFFF)
        var frames: [CapturedFrame] = []
        var i = 24
        while i + 16 <= b.count {
            let sec = Int64(u32(b, i, little: little)), frac = Int64(u32(b, i + 4, little: little))
            let cap = Int(u32(b, i + 8, little: little)), orig = Int(u32(b, i + 12, little: little))
            guard i + 16 + cap <= b.count else { break }
            frames.append(CapturedFrame(
                number: frames.count + 1, linkType: link, bytes: Array(b[(i + 16)..<(i + 16 + cap)]),
                originalLength: orig, timestamp: sec * 1_000_000_000 + (nano ? frac : frac * 1000)))
            i += 16 + cap
        }
        return frames
    }

    static func readPcapng(_ b: [UInt8]) throws -> [CapturedFrame] {
        var frames: [CapturedFrame] = []
        var links: [LinkType] = []
        var little = true
        var i = 0
        while i + 12 <= b.count {
            if u32(b, i, little: true) == 0x0A0D0D0A {
                little = u32(b, i + 8, little: true) == 0x1A2B3C4D
                links = []
            }
            let type = u32(b, i, little: little)
            let len = Int(u32(b, i + 4, little: little))
            guard len >= 12, i + len <= b.count else { break }
            switch type {
            case 1:
                links.append(LinkType(rawValue: UInt32(u16(b, i + 8, little: little))))
            case 6:
                let ifid = Int(u32(b, i + 8, little: little))
                let ts = Int64(u32(b, i + 12, little: little)) << 32 | Int64(u32(b, i + 16, little: little))
                let cap = Int(u32(b, i + 20, little: little)), orig = Int(u32(b, i + 24, little: little))
                guard i + 28 + cap <= b.count, ifid < links.count else { break }
                // Microsecond resolution (the default; the corpus has no if_tsresol option).
                frames.append(CapturedFrame(
                    number: frames.count + 1, linkType: links[ifid], bytes: Array(b[(i + 28)..<(i + 28 + cap)]),
                    originalLength: orig, timestamp: ts * 1000))
            case 3:
                let orig = Int(u32(b, i + 8, little: little))
                let cap = min(orig, len - 16)
                frames.append(CapturedFrame(
                    number: frames.count + 1, linkType: links.first ?? .ethernet,
                    bytes: Array(b[(i + 12)..<(i + 12 + cap)]), originalLength: orig, timestamp: 0))
            default:
                break
            }
            i += len
        }
        return frames
    }
}
