// The decoded packet: a fixed set of slots, reused for every packet.
//
// A frame is a stack of *levels*: level 0 is what was on the wire (link,
// network, transport), and each tunnel (VXLAN, GENEVE, IP-in-IP, GRE) opens
// the next level, so an inner header never overwrites an outer one. An ICMP
// error's quoted packet is decoded as a level of its own, marked
// `.icmpQuote`. Nothing here points into the packet's bytes: every slot holds
// integers, addresses as integers, and offsets into the frame.

/// How a level came to be.
public enum LevelOrigin: UInt8, Sendable, BitwiseCopyable {
    /// The frame as captured.
    case frame
    /// The payload of a tunnel in the level before.
    case tunnel
    /// The packet quoted inside an ICMP or ICMPv6 error of the level before.
    case icmpQuote
}

/// The network-layer fields common to IPv4 and IPv6.
public struct IPFields: Sendable, BitwiseCopyable {
    /// 4 or 6.
    public var version: UInt8
    public var source: IPAddress
    public var destination: IPAddress
    /// TTL (IPv4) or hop limit (IPv6).
    public var ttl: UInt8
    /// The upper-layer protocol after any IPv6 extension headers.
    public var protocolNumber: UInt8
    /// IPv4 identification, or the IPv6 fragment header's identification (0 when none).
    public var identification: UInt32
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// Fragment offset in 8-byte units.
    public var fragmentOffset: UInt16
    /// True when the packet is a fragment (IPv4 MF/offset, or an IPv6 fragment header).
    public var isFragment: Bool
    /// IPv6 flow label (0 for IPv4).
    public var flowLabel: UInt32
    /// Offset of the IP header in the frame.
    public var offset: Int
    /// Length of the IP header, IPv6 extension headers included.
    public var headerLength: Int
    /// The packet's length as its header declares it (IPv4 Total Length, or 40 + IPv6 Payload Length).
    public var totalLength: Int
    /// IPv4 header checksum (0 for IPv6).
    public var checksum: UInt16
    /// True when the length field was 0 (TSO / BIG TCP) and the frame's length was used.
    public var lengthFromFrame: Bool

    /// True when the packet carries the start of its upper-layer header (not a later fragment).
    public var carriesTransportHeader: Bool { fragmentOffset == 0 }
}

/// The transport-layer protocol of a level.
public enum TransportKind: UInt8, Sendable, BitwiseCopyable {
    case none, udp, tcp, icmp, icmpv6
}

/// Transport-layer fields (UDP, TCP, ICMP, ICMPv6).
public struct TransportFields: Sendable, BitwiseCopyable {
    public var kind: TransportKind
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    /// TCP only.
    public var sequence: UInt32
    public var acknowledgement: UInt32
    public var tcpFlags: TCPFlags
    public var window: UInt16
    /// TCP's MSS option, 0 when absent: what the endpoint believes its path carries.
    public var maximumSegmentSize: UInt16
    /// ICMP / ICMPv6 only.
    public var icmpType: UInt8
    public var icmpCode: UInt8
    /// TCP only: the segment carries the MD5 signature option (kind 19, RFC 2385).
    public var tcpMD5Signature: Bool = false
    /// ICMP's 4 bytes after the checksum (identifier + sequence, or MTU).
    public var icmpRest: UInt32
    /// Offset of the transport header in the frame.
    public var offset: Int
    public var headerLength: Int
    /// Offset of the transport payload in the frame.
    public var payloadOffset: Int
    /// Payload length as the headers declare it.
    public var payloadLength: Int
    /// How much of that payload was captured.
    public var capturedPayloadLength: Int

    public static let none = TransportFields(
        kind: .none, sourcePort: 0, destinationPort: 0, sequence: 0, acknowledgement: 0, tcpFlags: [], window: 0,
        maximumSegmentSize: 0, icmpType: 0, icmpCode: 0, icmpRest: 0, offset: 0, headerLength: 0, payloadOffset: 0, payloadLength: 0,
        capturedPayloadLength: 0)
}

/// The tunnel that leads from a level to the next one.
public struct TunnelFields: Sendable, BitwiseCopyable {
    public var kind: TunnelKind
    /// VXLAN / GENEVE VNI, or the GRE key; nil when the tunnel has none.
    public var vni: UInt32?
    /// The UDP destination port for VXLAN/GENEVE, 0 otherwise.
    public var udpPort: UInt16
    /// Offset of the tunnel header (the UDP header for VXLAN/GENEVE, the GRE
    /// header, or the inner IP header for IP-in-IP).
    public var offset: Int
    /// Bytes of tunnel header between the outer IP payload's start and the inner packet.
    public var headerLength: Int
    /// Offset of the inner packet (inner Ethernet for VXLAN, inner IP for IP-in-IP).
    public var innerOffset: Int
    /// The inner packet's length as the outer headers declare it.
    public var innerLength: Int
}

/// One level of a frame: link, network and transport headers, and the tunnel to the next level.
public struct PacketLevel: Sendable, BitwiseCopyable {
    public var origin: LevelOrigin
    /// The Linux cooked header (level 0 of SLL/SLL2 captures).
    public var cooked: LinuxCookedHeader?
    public var ethernet: EthernetHeader?
    /// 802.1Q/802.1ad tags, outermost first; `vlanCount` of them are valid (at most 4 kept).
    public var vlans: InlineArray<4, VLANTag>
    public var vlanCount: Int
    /// The EtherType of the network layer (after tags), 0 when unknown.
    public var etherType: UInt16
    public var arp: ARPHeader?
    public var ip: IPFields?
    public var transport: TransportFields
    public var tunnel: TunnelFields?

    public static let empty = PacketLevel(
        origin: .frame, cooked: nil, ethernet: nil, vlans: InlineArray(repeating: .empty), vlanCount: 0,
        etherType: 0, arp: nil, ip: nil, transport: .none, tunnel: nil)
}

/// The five level slots of a packet, as plain stored properties.
///
/// Not an `InlineArray`: reading one element of an `InlineArray` held in a
/// borrowed value copies the whole array (2 KB here) to a stable place first,
/// once per read, which was most of the verifier's time. Stored properties
/// behind a switch are projected in place, so `levels[i].ip` loads just `ip`.
public struct PacketLevels: Sendable, BitwiseCopyable {
    @usableFromInline var l0 = PacketLevel.empty
    @usableFromInline var l1 = PacketLevel.empty
    @usableFromInline var l2 = PacketLevel.empty
    @usableFromInline var l3 = PacketLevel.empty
    @usableFromInline var l4 = PacketLevel.empty

    public init() {}

    /// Level `i` (0 ..< `DecodedPacket.maxLevels`).
    @inlinable
    public subscript(i: Int) -> PacketLevel {
        @inline(__always) get {
            switch i {
            case 0: l0
            case 1: l1
            case 2: l2
            case 3: l3
            default: l4
            }
        }
        @inline(__always) _modify {
            switch i {
            case 0: yield &l0
            case 1: yield &l1
            case 2: yield &l2
            case 3: yield &l3
            default: yield &l4
            }
        }
    }
}

/// An application protocol whose bytes follow the transport header.
public enum ApplicationKind: UInt8, Sendable, BitwiseCopyable {
    case none, bgp, ospf
}

/// One entry of a packet's ordered layer list.
public struct LayerRecord: Sendable, Equatable, BitwiseCopyable {
    public var layer: Layer
    public var level: UInt8
    public var offset: Int32
    public static let empty = LayerRecord(layer: .payload, level: 0, offset: 0)
}

/// A decoded packet: fixed slots, reused from packet to packet.
public struct DecodedPacket: Sendable {
    /// The most levels kept: the frame plus three nested encapsulations plus an ICMP quote.
    public static let maxLevels = 5
    /// The most layer records kept.
    public static let maxLayers = 32

    // In this order: what a view reads (these fields, then the levels in use) is the
    // packet's first `PacketView.usedByteCount` bytes, all a batch keeps (ParallelRead).
    public var linkType: LinkType
    /// Bytes captured, and the frame's length on the wire.
    public var capturedLength: Int
    public var originalLength: Int
    public var levelCount: Int

    /// The application payload, if one was recognised (BGP on TCP 179, OSPF on IP 89).
    public var application: ApplicationKind
    public var applicationLevel: Int
    public var applicationOffset: Int
    public var applicationLength: Int

    /// Where decoding stopped, when it did not reach the end of what it could read.
    public var stop: DecodeStop?

    public var levels: PacketLevels

    /// Read by the decoder's text output only.
    public var layers: InlineArray<32, LayerRecord>
    public var layerCount: Int

    public init() {
        linkType = .ethernet
        capturedLength = 0
        originalLength = 0
        levels = PacketLevels()
        levelCount = 0
        layers = InlineArray(repeating: .empty)
        layerCount = 0
        application = .none
        applicationLevel = 0
        applicationOffset = 0
        applicationLength = 0
        stop = nil
    }

    /// True when the captured bytes are fewer than the frame's length (cut by the snapshot length).
    public var isSnapped: Bool { capturedLength < originalLength }

    /// True when decoding stopped because the packet is malformed or cut (not merely an unsupported protocol).
    public var isMalformed: Bool { stop?.isMalformed ?? false }

    mutating func record(_ layer: Layer, level: Int, at offset: Int) {
        guard layerCount < DecodedPacket.maxLayers else { return }
        layers[layerCount] = LayerRecord(layer: layer, level: UInt8(truncatingIfNeeded: level), offset: Int32(truncatingIfNeeded: offset))
        layerCount += 1
    }
}
extension DecodedPacket {
    /// Where level 0 lies inside a `DecodedPacket`, in bytes; level `i` lies
    /// `i × MemoryLayout<PacketLevel>.stride` further on. For code that reads
    /// the levels in place through a pointer (`PacketView`). A constant the compiler
    /// folds (a stored static checked its `swift_once` at every read, once per frame);
    /// `levelsLieWhereViewsReadThem` (LayoutTests.swift) checks the layout it relies on.
    @inlinable public static var firstLevelOffset: Int {
        MemoryLayout<DecodedPacket>.offset(of: \DecodedPacket.levels)! &+ MemoryLayout<PacketLevels>.offset(of: \PacketLevels.l0)!
    }

    /// Where level `i` lies inside a `DecodedPacket`, in bytes (`maxLevels`: the end of the levels).
    @inlinable public static func levelOffset(_ i: Int) -> Int { firstLevelOffset &+ i &* MemoryLayout<PacketLevel>.stride }

    /// The bytes of a packet a view reads when it has `levelCount` levels: the fields before
    /// the levels and the levels in use.
    @inlinable
    public static func usedByteCount(levelCount: Int) -> Int {
        levelOffset(min(max(levelCount, 0), maxLevels))
    }
}

/// The level slots of a packet in memory, for the decoder's writes: through
/// `levels[i]` each write called the subscript's `_modify` coroutine, out of line.
struct LevelSlots {
    let first: UnsafeMutableRawPointer

    @inline(__always)
    init(_ p: UnsafeMutablePointer<DecodedPacket>) { first = UnsafeMutableRawPointer(p) + DecodedPacket.firstLevelOffset }

    @inline(__always)
    subscript(i: Int) -> UnsafeMutablePointer<PacketLevel> {
        precondition(i >= 0 && i < DecodedPacket.maxLevels, "level out of range")
        return (first + i * MemoryLayout<PacketLevel>.stride).assumingMemoryBound(to: PacketLevel.self)
    }
}
