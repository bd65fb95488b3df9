// The interface of each packet of a pcapng file. libpcap reads the packets but
// does not say which Interface Description Block a packet belongs to, and a
// file written by `mergecap` or `dumpcap -i a -i b` holds several interfaces:
// each is its own capture point. This walks the blocks beside libpcap, one
// packet block per frame libpcap delivers, and reads only block headers.
//
//  block:  | type (4) | total length (4) | body ... | total length (4) |
//  EPB 6:  | interface id (4) | ts high | ts low | caplen | len | data (padded to 4) | options ...
//           option: | code (2) | length (2) | value (padded to 4) |; code 2 is epb_flags, whose
//           two low bits are the direction: 1 inbound, 2 outbound (the capturing host sent it)
//  PB  2:  | interface id (2) | drops (2) | ...        (obsolete)
//  SPB 3:  | original length | data ...                 (interface 0)

/// The interface ids of a pcapng file's packets, in file order.
final class PcapngInterfaces {
    private let mapping: FileMapping
    private var offset = 0
    private var swapped = false
    /// Sections passed; interface ids start again in each section, so later sections' ids are set apart.
    private var section: UInt32 = 0

    static let sectionHeader: UInt32 = 0x0A0D_0D0A

    /// nil when `path` is not a pcapng file (or cannot be mapped).
    init?(path: String) {
        guard let mapping = FileMapping(path: path, minimumSize: 28) else { return nil }
        guard mapping.base.loadUnaligned(as: UInt32.self) == Self.sectionHeader else { return nil }
        mapping.adviseSequential()
        self.mapping = mapping
    }

    private func u32(_ at: Int) -> UInt32 {
        let v = mapping.base.loadUnaligned(fromByteOffset: at, as: UInt32.self)
        return swapped ? v.byteSwapped : v
    }

    /// The interface id of the next packet block, or nil when the blocks end or
    /// do not parse (then the packets that follow have no known interface).
    func nextPacketInterface() -> UInt32? { nextPacket()?.interface }

    /// The next packet block's interface id and direction (epb_flags; `.unknown` without it).
    func nextPacket() -> (interface: UInt32, direction: PacketDirection)? {
        let size = mapping.size
        while offset + 12 <= size {
            let at = offset
            if mapping.base.loadUnaligned(fromByteOffset: at, as: UInt32.self) == Self.sectionHeader {
                // The byte-order magic decides how this section's fields read.
                guard at + 12 <= size else { return nil }
                swapped = mapping.base.loadUnaligned(fromByteOffset: at + 8, as: UInt32.self) != 0x1A2B_3C4D
                if at > 0 { section &+= 1 }
            }
            let type = u32(at), length = Int(u32(at + 4))
            guard length >= 12, length % 4 == 0, at + length <= size else { offset = size; return nil }
            offset = at + length
            switch type {
            case 6 where length >= 32:
                return (section << 16 | u32(at + 8), Self.direction(UnsafeRawPointer(mapping.base + at), length: length, swapped: swapped))
            case 2 where length >= 32:
                let v = mapping.base.loadUnaligned(fromByteOffset: at + 8, as: UInt16.self)
                return (section << 16 | UInt32(swapped ? v.byteSwapped : v), .unknown)
            case 3: return (section << 16, .unknown)
            default: break
            }
        }
        return nil
    }

    /// Two 16-bit fields in the section's byte order, read together as a 32-bit field: the
    /// first and the second (an IDB's link type and reserved field, an option's code and length).
    @inline(__always)
    static func halves(_ word: UInt32, swapped: Bool) -> (first: UInt16, second: UInt16) {
        let (high, low) = (UInt16(truncatingIfNeeded: word >> 16), UInt16(truncatingIfNeeded: word))
        return swapped ? (high, low) : (low, high)
    }

    /// An option header's code and value length, from its word read as a 32-bit field.
    @inline(__always)
    static func option(_ word: UInt32, swapped: Bool) -> (code: UInt16, length: Int) {
        let (code, length) = halves(word, swapped: swapped)
        return (code, Int(length))
    }

    /// The direction in the options (epb_flags) of the EPB at `block`, of `length` bytes, walked
    /// within its bounds.
    static func direction(_ block: UnsafeRawPointer, length: Int, swapped: Bool) -> PacketDirection {
        func u32(_ at: Int) -> UInt32 {
            let v = block.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            return swapped ? v.byteSwapped : v
        }
        let captured = Int(u32(20))
        guard captured <= length else { return .unknown }
        var o = 28 + (captured + 3) & ~3
        let end = length - 4
        var options = 0
        while o + 4 <= end, options < 64 {
            let raw = block.loadUnaligned(fromByteOffset: o, as: UInt32.self)
            let (code, size) = option(swapped ? raw.byteSwapped : raw, swapped: swapped)
            if code == 0 { break }
            if code == 2, size == 4, o + 8 <= end {
                switch u32(o + 4) & 3 {
                case 1: return .inbound
                case 2: return .outbound
                default: return .unknown
                }
            }
            o += 4 + (size + 3) & ~3
            options += 1
        }
        return .unknown
    }
}

/// Whether the capturing host received a packet or sent it, where the capture records it.
public enum PacketDirection: UInt8, Sendable, BitwiseCopyable {
    case unknown, inbound, outbound
}
