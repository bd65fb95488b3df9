// Linux "cooked" capture headers (the `any` pseudo-interface), v1 and v2,
// and the BSD loopback header.
//
// SLL (16 bytes):                       SLL2 (20 bytes):
// +---------------------------+         +---------------------------+
// | packet type (2)           |         | protocol type (2)         |
// | ARPHRD type (2)           |         | reserved (2)              |
// | link-layer addr len (2)   |         | interface index (4)       |
// | link-layer address (8)    |         | ARPHRD type (2)           |
// | protocol type (2)         |         | packet type (1)           |
// +---------------------------+         | link-layer addr len (1)   |
//                                       | link-layer address (8)    |
//                                       +---------------------------+

/// The fields common to Linux cooked headers v1 and v2.
public struct LinuxCookedHeader: Sendable, BitwiseCopyable {
    /// Who the packet was for: 0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing.
    public var packetType: UInt16
    /// The ARPHRD_ type of the interface (1 Ethernet, 772 loopback, …).
    public var hardwareType: UInt16
    /// The link-layer address length and the address (first 6 bytes used as a MAC when 6).
    public var addressLength: UInt16
    public var source: MACAddress
    /// The protocol: an EtherType, or 1 (802.3), 4 (802.2 LLC) and the like.
    public var protocolType: UInt16
    /// Interface index (SLL2 only; 0 for SLL).
    public var interfaceIndex: UInt32
    /// Header length: 16 or 20.
    public var length: Int

    /// Reads an SLL (v1) header.
    public static func parseV1(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> LinuxCookedHeader {
        try s.require(16, at: offset, .linuxSLL)
        // In bounds: 16 bytes checked above.
        let alen = s.u16(offset + 4)
        return LinuxCookedHeader(
            packetType: s.u16(offset), hardwareType: s.u16(offset + 2), addressLength: alen,
            source: alen >= 6 ? s.mac(offset + 6) : .zero, protocolType: s.u16(offset + 14),
            interfaceIndex: 0, length: 16)
    }

    /// Reads an SLL2 (v2) header.
    public static func parseV2(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> LinuxCookedHeader {
        try s.require(20, at: offset, .linuxSLL2)
        // In bounds: 20 bytes checked above.
        let alen = UInt16(s.u8(offset + 11))
        return LinuxCookedHeader(
            packetType: UInt16(s.u8(offset + 10)), hardwareType: s.u16(offset + 8), addressLength: alen,
            source: alen >= 6 ? s.mac(offset + 12) : .zero, protocolType: s.u16(offset),
            interfaceIndex: s.u32(offset + 4), length: 20)
    }
}

/// The BSD loopback (DLT_NULL / DLT_LOOP) header: a 4-byte address family.
public enum LoopbackHeader {
    /// The EtherType for the address family at `offset`, read in either byte
    /// order (the capturing host's for DLT_NULL, network order for DLT_LOOP).
    public static func etherType(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> UInt16 {
        try s.require(4, at: offset, .null)
        // In bounds: 4 bytes checked above.
        var family = s.u32(offset)
        if family & 0xFFFF_0000 != 0 { family = family.byteSwapped }
        switch family {
        case 2: return EtherType.ipv4
        case 10, 24, 28, 30: return EtherType.ipv6  // Linux, NetBSD/OpenBSD, FreeBSD, Darwin
        default: throw DecodeStop(.null, at: offset, .unsupported(family))
        }
    }
}
