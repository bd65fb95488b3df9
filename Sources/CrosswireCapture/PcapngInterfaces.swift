// The interface of each packet of a pcapng file. libpcap reads the packets but
// does not say which Interface Description Block a packet belongs to, and a
// file written by `mergecap` or `dumpcap -i a -i b` holds several interfaces:
// each is its own capture point. This walks the blocks beside libpcap, one
// packet block per frame libpcap delivers, and reads only block headers.
//
//  block:  | type (4) | total length (4) | body ... | total length (4) |
//  EPB 6:  | interface id (4) | ts high | ts low | caplen | len | data ...
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
    func nextPacketInterface() -> UInt32? {
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
            case 6 where length >= 32: return section << 16 | u32(at + 8)
            case 2 where length >= 32:
                let v = mapping.base.loadUnaligned(fromByteOffset: at + 8, as: UInt16.self)
                return section << 16 | UInt32(swapped ? v.byteSwapped : v)
            case 3: return section << 16
            default: break
            }
        }
        return nil
    }
}
