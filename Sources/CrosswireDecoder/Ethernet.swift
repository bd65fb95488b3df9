// Ethernet II and IEEE 802.1Q / 802.1ad tags.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                  Destination MAC (6 bytes)                    |
// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                               |                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+   Source MAC (6 bytes)        +
// |                                                               |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |     EtherType / length        |   (802.1Q: TPID, then TCI)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// The fields of an Ethernet II header.
public struct EthernetHeader: Sendable, BitwiseCopyable {
    public static let length = 14
    public var destination: MACAddress
    public var source: MACAddress
    /// The EtherType (or 802.3 length when ≤ 1500) right after the addresses.
    public var etherType: UInt16

    /// Reads the header at `offset`.
    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> EthernetHeader {
        try s.require(length, at: offset, .ethernet)
        // In bounds: 14 bytes from offset were checked above.
        return EthernetHeader(destination: s.mac(offset), source: s.mac(offset + 6), etherType: s.u16(offset + 12))
    }
}

/// One 802.1Q / 802.1ad tag.
public struct VLANTag: Sendable, Equatable, BitwiseCopyable {
    public static let length = 4
    /// The tag protocol identifier that introduced this tag (0x8100, 0x88a8 …).
    public var tpid: UInt16
    /// Priority code point (0–7).
    public var priority: UInt8
    /// Drop eligible indicator.
    public var dropEligible: Bool
    /// VLAN identifier (0–4095).
    public var id: UInt16
    /// The EtherType that follows the tag.
    public var innerType: UInt16

    public static let empty = VLANTag(tpid: 0, priority: 0, dropEligible: false, id: 0, innerType: 0)

    /// Reads the 4 bytes after a TPID (TCI + EtherType) at `offset`.
    public static func parse(_ s: borrowing RawSpan, at offset: Int, tpid: UInt16) throws(DecodeStop) -> VLANTag {
        try s.require(length, at: offset, .vlan)
        // In bounds: 4 bytes from offset were checked above.
        let tci = s.u16(offset)
        return VLANTag(
            tpid: tpid, priority: UInt8(tci >> 13), dropEligible: tci & 0x1000 != 0,
            id: tci & 0x0FFF, innerType: s.u16(offset + 2))
    }

    /// True for the TPIDs that introduce a tag.
    public static func isTagType(_ type: UInt16) -> Bool {
        type == EtherType.vlan || type == EtherType.qinq || type == EtherType.qinqOld
    }
}
