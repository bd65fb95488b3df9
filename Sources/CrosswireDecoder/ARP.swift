// ARP (RFC 826).
//
// +-------------------+-------------------+
// | hardware type (2) | protocol type (2) |
// +---------+---------+-------------------+
// | hlen (1)| plen (1)| operation (2)     |
// +---------+---------+-------------------+
// | sender hardware address (hlen)        |
// | sender protocol address (plen)        |
// | target hardware address (hlen)        |
// | target protocol address (plen)        |
// +---------------------------------------+

/// An ARP message. Addresses are filled for Ethernet/IPv4 ARP (hlen 6, plen 4)
/// and left zero otherwise.
public struct ARPHeader: Sendable, BitwiseCopyable {
    public var hardwareType: UInt16
    public var protocolType: UInt16
    public var hardwareLength: UInt8
    public var protocolLength: UInt8
    /// 1 request, 2 reply (3/4 RARP).
    public var operation: UInt16
    public var senderMAC: MACAddress
    public var senderIP: IPv4Address
    public var targetMAC: MACAddress
    public var targetIP: IPv4Address
    /// Header length in bytes: 8 + 2 × (hlen + plen).
    public var length: Int

    /// True for Ethernet / IPv4 ARP, whose addresses are decoded.
    public var isEthernetIPv4: Bool { hardwareLength == 6 && protocolLength == 4 && protocolType == EtherType.ipv4 }

    public static func parse(_ s: borrowing RawSpan, at offset: Int) throws(DecodeStop) -> ARPHeader {
        try s.require(8, at: offset, .arp)
        // In bounds: 8 bytes checked above.
        let hlen = s.u8(offset + 4), plen = s.u8(offset + 5)
        let total = 8 + 2 * (Int(hlen) + Int(plen))
        try s.require(total, at: offset, .arp)
        var h = ARPHeader(
            hardwareType: s.u16(offset), protocolType: s.u16(offset + 2), hardwareLength: hlen,
            protocolLength: plen, operation: s.u16(offset + 6), senderMAC: .zero, senderIP: .any,
            targetMAC: .zero, targetIP: .any, length: total)
        if h.isEthernetIPv4 {
            // In bounds: total (28) bytes checked above.
            h.senderMAC = s.mac(offset + 8)
            h.senderIP = IPv4Address(rawValue: s.u32(offset + 14))
            h.targetMAC = s.mac(offset + 18)
            h.targetIP = IPv4Address(rawValue: s.u32(offset + 24))
        }
        return h
    }
}
