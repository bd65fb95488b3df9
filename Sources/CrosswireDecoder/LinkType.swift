// Link-layer header types, numbered as libpcap's `pcap_datalink` returns them.

/// The link-layer header type of a capture (a DLT value as libpcap reports it).
public struct LinkType: RawRepresentable, Hashable, Sendable, BitwiseCopyable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// BSD loopback: a 4-byte address family in the capturing host's byte order (DLT_NULL).
    public static let null = LinkType(rawValue: 0)
    /// Ethernet (DLT_EN10MB).
    public static let ethernet = LinkType(rawValue: 1)
    /// Raw IP, version from the first nibble (DLT_RAW; 12 on most systems, 14 on OpenBSD).
    public static let raw = LinkType(rawValue: 12)
    public static let rawOpenBSD = LinkType(rawValue: 14)
    /// LINKTYPE_RAW as written in files (libpcap maps it to DLT_RAW, but be lenient).
    public static let rawLinkType = LinkType(rawValue: 101)
    /// OpenBSD loopback: the address family in network byte order (DLT_LOOP).
    public static let loop = LinkType(rawValue: 108)
    /// Linux cooked capture v1 (DLT_LINUX_SLL).
    public static let linuxSLL = LinkType(rawValue: 113)
    /// Raw IPv4 (DLT_IPV4).
    public static let ipv4 = LinkType(rawValue: 228)
    /// Raw IPv6 (DLT_IPV6).
    public static let ipv6 = LinkType(rawValue: 229)
    /// Linux cooked capture v2 (DLT_LINUX_SLL2).
    public static let linuxSLL2 = LinkType(rawValue: 276)

    /// The link header names the interface or the way a frame went (Linux cooked captures, as
    /// `tcpdump -i any` writes them): one capture holds several capture points.
    public var namesInterface: Bool { self == .linuxSLL || self == .linuxSLL2 }

    /// True for the link types the decoder walks.
    public var isSupported: Bool {
        switch self {
        case .null, .ethernet, .raw, .rawOpenBSD, .rawLinkType, .loop, .linuxSLL, .ipv4, .ipv6, .linuxSLL2: true
        default: false
        }
    }

    /// The short name libpcap's `pcap_datalink_val_to_name` gives (`EN10MB`, `LINUX_SLL2` …).
    public var description: String {
        switch self {
        case .null: "NULL"
        case .ethernet: "EN10MB"
        case .raw, .rawOpenBSD, .rawLinkType: "RAW"
        case .loop: "LOOP"
        case .linuxSLL: "LINUX_SLL"
        case .ipv4: "IPV4"
        case .ipv6: "IPV6"
        case .linuxSLL2: "LINUX_SLL2"
        default: "DLT_\(rawValue)"
        }
    }
}

/// EtherType values the decoder follows.
public enum EtherType {
    public static let ipv4: UInt16 = 0x0800
    public static let arp: UInt16 = 0x0806
    public static let vlan: UInt16 = 0x8100
    public static let qinq: UInt16 = 0x88A8
    public static let qinqOld: UInt16 = 0x9100
    public static let ipv6: UInt16 = 0x86DD
    public static let transparentEthernet: UInt16 = 0x6558
    public static let erspan2: UInt16 = 0x88BE
    public static let erspan3: UInt16 = 0x22EB
    public static let wccp: UInt16 = 0x883E
    public static let ciscoMetaData: UInt16 = 0x8909
    public static let nsh: UInt16 = 0x894F
}

/// IP protocol numbers the decoder follows.
public enum IPProtocol {
    public static let hopByHop: UInt8 = 0
    public static let icmp: UInt8 = 1
    public static let ipip: UInt8 = 4
    public static let tcp: UInt8 = 6
    public static let udp: UInt8 = 17
    public static let ipv6: UInt8 = 41
    public static let routing: UInt8 = 43
    public static let fragment: UInt8 = 44
    public static let gre: UInt8 = 47
    public static let esp: UInt8 = 50
    public static let ah: UInt8 = 51
    public static let icmpv6: UInt8 = 58
    public static let noNextHeader: UInt8 = 59
    public static let destinationOptions: UInt8 = 60
    public static let ospf: UInt8 = 89
    public static let sctp: UInt8 = 132
}
