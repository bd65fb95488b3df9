// tshark-compatible fields for `crosswire decode -T fields`.
//
// Values are formatted as tshark 4.0 prints them with `-T fields -E
// occurrence=a -E aggregator=,`: a field that occurs several times in a frame
// (outer and inner headers of a tunnel, the packet quoted in an ICMP error,
// stacked VLAN tags) lists every occurrence, outermost first, joined by `,`.

import CrosswireDecoder

/// A field name `-e` accepts.
public enum PacketField: String, CaseIterable, Sendable {
    case frameNumber = "frame.number"
    case frameLength = "frame.len"
    case frameCapturedLength = "frame.cap_len"
    case frameTimeEpoch = "frame.time_epoch"
    case frameProtocols = "frame.protocols"
    case ethSource = "eth.src"
    case ethDestination = "eth.dst"
    case ethType = "eth.type"
    case vlanID = "vlan.id"
    case ieee8021adID = "ieee8021ad.id"
    case vlanPriority = "vlan.priority"
    case sllPacketType = "sll.pkttype"
    case sllEtherType = "sll.etype"
    case sllInterfaceIndex = "sll.ifindex"
    case arpOpcode = "arp.opcode"
    case arpSourceMAC = "arp.src.hw_mac"
    case arpSourceIP = "arp.src.proto_ipv4"
    case arpTargetMAC = "arp.dst.hw_mac"
    case arpTargetIP = "arp.dst.proto_ipv4"
    case ipSource = "ip.src"
    case ipDestination = "ip.dst"
    case ipTTL = "ip.ttl"
    case ipProtocol = "ip.proto"
    case ipID = "ip.id"
    case ipLength = "ip.len"
    case ipDF = "ip.flags.df"
    case ipMF = "ip.flags.mf"
    case ipFragmentOffset = "ip.frag_offset"
    case ipv6Source = "ipv6.src"
    case ipv6Destination = "ipv6.dst"
    case ipv6HopLimit = "ipv6.hlim"
    case ipv6NextHeader = "ipv6.nxt"
    case ipv6PayloadLength = "ipv6.plen"
    case ipv6FlowLabel = "ipv6.flow"
    case icmpType = "icmp.type"
    case icmpCode = "icmp.code"
    case icmpv6Type = "icmpv6.type"
    case icmpv6Code = "icmpv6.code"
    case udpSourcePort = "udp.srcport"
    case udpDestinationPort = "udp.dstport"
    case udpLength = "udp.length"
    case tcpSourcePort = "tcp.srcport"
    case tcpDestinationPort = "tcp.dstport"
    case tcpSequenceRaw = "tcp.seq_raw"
    case tcpAckRaw = "tcp.ack_raw"
    case tcpFlags = "tcp.flags"
    case tcpLength = "tcp.len"
    case vxlanVNI = "vxlan.vni"
    case geneveVNI = "geneve.vni"
    case greKey = "gre.key"
    case bgpType = "bgp.type"
    case bgpNLRIPrefix = "bgp.nlri_prefix"
    case bgpWithdrawnPrefix = "bgp.withdrawn_prefix"
    case bgpNextHop = "bgp.update.path_attribute.next_hop"
    case ospfMessage = "ospf.msg"
    case ospfSourceRouter = "ospf.srcrouter"
    case ospfAreaID = "ospf.area_id"
    case decodeStop = "crosswire.stop"

    /// True for the BGP and OSPF fields, which come from the control-plane decoders.
    public var isControlPlane: Bool { rawValue.hasPrefix("bgp.") || rawValue.hasPrefix("ospf.") }
}

/// Writes the control-plane (BGP/OSPF) fields of the current frame. The
/// packet decoder itself leaves these empty; the BGP/OSPF layer supplies them.
public protocol ControlPlaneFieldWriter {
    /// Appends the values of `field` for the current frame (occurrences joined by `,`).
    mutating func write(_ field: PacketField, to out: inout [UInt8])
}

/// A writer that leaves every control-plane field empty.
public struct NoControlPlaneFields: ControlPlaneFieldWriter {
    public init() {}
    public func write(_ field: PacketField, to out: inout [UInt8]) {}
}

/// The frame-level facts that are not in the decoded packet.
public struct FrameFacts: Sendable, BitwiseCopyable {
    public var number: Int
    public var seconds: Int64
    public var nanoseconds: UInt32
    public init(number: Int, seconds: Int64, nanoseconds: UInt32) {
        self.number = number; self.seconds = seconds; self.nanoseconds = nanoseconds
    }
}

extension PacketField {
    /// The most bytes `writeDirect` touches for this field (every occurrence,
    /// the `,` between them and the scratch stored past the last); nil for the
    /// fields that are written into an array (`frame.protocols`,
    /// `crosswire.stop`, the control plane).
    var maximumLength: Int? {
        // 40 bytes an occurrence: an IPv6 address is 39, a decimal UInt64 20, a time 30, a MAC and its scratch 19.
        switch self {
        case .frameProtocols, .decodeStop, .bgpType, .bgpNLRIPrefix, .bgpWithdrawnPrefix, .bgpNextHop, .ospfMessage,
            .ospfSourceRouter, .ospfAreaID:
            nil
        case .frameNumber, .frameLength, .frameCapturedLength, .frameTimeEpoch: 40
        case .vlanID, .ieee8021adID, .vlanPriority: DecodedPacket.maxLevels * 4 * 41
        default: DecodedPacket.maxLevels * 41
        }
    }
}

extension DecodedPacket {
    /// Appends the value(s) of `field` for this packet to `out`, formatted as tshark does.
    public func write<C: ControlPlaneFieldWriter>(
        _ field: PacketField, frame: FrameFacts, control: inout C, to out: inout [UInt8]
    ) {
        switch field {
        case .frameProtocols:
            for i in 0..<layerCount {
                let l = layers[i].layer
                if i > 0 { out.append(UInt8(ascii: ":")) }
                for ch in l.description.utf8 { out.append(ch) }
            }
        case .decodeStop:
            if let stop { stop.write(to: &out) }
        case .bgpType, .bgpNLRIPrefix, .bgpWithdrawnPrefix, .bgpNextHop, .ospfMessage, .ospfSourceRouter, .ospfAreaID:
            control.write(field, to: &out)
        default:
            withUnsafePointer(to: self) { packet in
                appending(to: &out, bound: field.maximumLength ?? 0) { _ = writeDirect(field, of: packet, frame: frame, to: &$0) }
            }
        }
    }
}

/// Writes the value(s) of a field that has a `maximumLength` at `p`, which
/// has room for that many bytes; returns false, having written nothing, for
/// the other fields.
///
/// The packet is read through a pointer, field by field in place: passing a
/// `DecodedPacket` (about 2.5 KB) from a variable to a function copies it.
@inline(__always)
func writeDirect(
    _ field: PacketField, of packet: UnsafePointer<DecodedPacket>, frame: FrameFacts, to p: inout Cursor
) -> Bool {
    let start = p
    // A `,` before every occurrence but the first.
    @inline(__always) func next(_ p: inout Cursor) { if p != start { put(UInt8(ascii: ","), &p) } }
    // Level `i` by address: `levels[i]` picks the level with a switch, and the
    // compiler then computed every level's fields' addresses before the field loop.
    @inline(__always) func level(_ i: Int) -> UnsafePointer<PacketLevel> {
        UnsafeRawPointer(packet).advanced(by: DecodedPacket.levelOffset(i))
            .assumingMemoryBound(to: PacketLevel.self)
    }
    @inline(__always) func ethernet(_ i: Int) -> EthernetHeader? { level(i).pointee.ethernet }
    @inline(__always) func cooked(_ i: Int) -> LinuxCookedHeader? { level(i).pointee.cooked }
    @inline(__always) func arp(_ i: Int) -> ARPHeader? { level(i).pointee.arp }
    @inline(__always) func ip(_ i: Int) -> IPFields? { level(i).pointee.ip }
    @inline(__always) func transport(_ i: Int) -> TransportFields { level(i).pointee.transport }
    @inline(__always) func tunnel(_ i: Int) -> TunnelFields? { level(i).pointee.tunnel }
    // A level's 802.1Q tags, or its 802.1ad S-tags (at most 4 kept).
    @inline(__always) func tags(_ i: Int, sTags: Bool, _ body: (VLANTag) -> Void) {
        for v in 0..<min(level(i).pointee.vlanCount, 4) {
            let tag = level(i).pointee.vlans[v]
            if (tag.tpid == EtherType.qinq) == sTags { body(tag) }
        }
    }
    let levels = packet.pointee.levelCount
    switch field {
    case .frameNumber: putDecimal(UInt64(frame.number), &p)
    case .frameLength: putDecimal(UInt64(packet.pointee.originalLength), &p)
    case .frameCapturedLength: putDecimal(UInt64(packet.pointee.capturedLength), &p)
    case .frameTimeEpoch: putTime(frame, &p)
    case .ethSource: for i in 0..<levels { if let e = ethernet(i) { next(&p); put(e.source, &p) } }
    case .ethDestination: for i in 0..<levels { if let e = ethernet(i) { next(&p); put(e.destination, &p) } }
    case .ethType: for i in 0..<levels { if let e = ethernet(i) { next(&p); putHexFixed(UInt64(e.etherType), digits: 4, &p) } }
    // tshark's vlan.id covers 802.1Q tags (0x8100, and the old QinQ 0x9100); 802.1ad S-tags are ieee8021ad.id.
    case .vlanID: for i in 0..<levels { tags(i, sTags: false) { next(&p); putDecimal($0.id, &p) } }
    case .ieee8021adID: for i in 0..<levels { tags(i, sTags: true) { next(&p); putDecimal($0.id, &p) } }
    // Like vlan.id: 802.1ad S-tags carry ieee8021ad.priority instead.
    case .vlanPriority: for i in 0..<levels { tags(i, sTags: false) { next(&p); putDecimal($0.priority, &p) } }
    case .sllPacketType: for i in 0..<levels { if let c = cooked(i) { next(&p); putDecimal(c.packetType, &p) } }
    case .sllEtherType: for i in 0..<levels { if let c = cooked(i) { next(&p); putHexFixed(UInt64(c.protocolType), digits: 4, &p) } }
    case .sllInterfaceIndex: for i in 0..<levels { if let c = cooked(i), c.length == 20 { next(&p); putDecimal(UInt64(c.interfaceIndex), &p) } }
    case .arpOpcode: for i in 0..<levels { if let a = arp(i) { next(&p); putDecimal(a.operation, &p) } }
    case .arpSourceMAC: for i in 0..<levels { if let a = arp(i), a.isEthernetIPv4 { next(&p); put(a.senderMAC, &p) } }
    case .arpSourceIP: for i in 0..<levels { if let a = arp(i), a.isEthernetIPv4 { next(&p); put(a.senderIP, &p) } }
    case .arpTargetMAC: for i in 0..<levels { if let a = arp(i), a.isEthernetIPv4 { next(&p); put(a.targetMAC, &p) } }
    case .arpTargetIP: for i in 0..<levels { if let a = arp(i), a.isEthernetIPv4 { next(&p); put(a.targetIP, &p) } }
    case .ipSource: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); put(ip.source, &p) } }
    case .ipDestination: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); put(ip.destination, &p) } }
    case .ipTTL: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); putDecimal(ip.ttl, &p) } }
    case .ipProtocol: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); putDecimal(ip.protocolNumber, &p) } }
    case .ipID: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); putHexFixed(UInt64(ip.identification), digits: 4, &p) } }
    case .ipLength: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); putDecimal(UInt64(ip.totalLength), &p) } }
    case .ipDF: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); put(ip.dontFragment ? 49 : 48, &p) } }
    case .ipMF: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); put(ip.moreFragments ? 49 : 48, &p) } }
    // tshark 4.0 declares ip.frag_offset as the 13-bit field itself (mask 0x1fff), in 8-byte units.
    case .ipFragmentOffset: for i in 0..<levels { if let ip = ip(i), ip.version == 4 { next(&p); putDecimal(UInt64(ip.fragmentOffset), &p) } }
    case .ipv6Source: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); put(ip.source, &p) } }
    case .ipv6Destination: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); put(ip.destination, &p) } }
    case .ipv6HopLimit: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); putDecimal(ip.ttl, &p) } }
    case .ipv6NextHeader: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); putDecimal(ip.protocolNumber, &p) } }
    case .ipv6PayloadLength: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); putDecimal(UInt64(ip.totalLength - 40), &p) } }
    case .ipv6FlowLabel: for i in 0..<levels { if let ip = ip(i), ip.version == 6 { next(&p); putHexFixed(UInt64(ip.flowLabel), digits: 6, &p) } }
    case .icmpType: for i in 0..<levels { let t = transport(i); if t.kind == .icmp { next(&p); putDecimal(t.icmpType, &p) } }
    case .icmpCode: for i in 0..<levels { let t = transport(i); if t.kind == .icmp { next(&p); putDecimal(t.icmpCode, &p) } }
    case .icmpv6Type: for i in 0..<levels { let t = transport(i); if t.kind == .icmpv6 { next(&p); putDecimal(t.icmpType, &p) } }
    case .icmpv6Code: for i in 0..<levels { let t = transport(i); if t.kind == .icmpv6 { next(&p); putDecimal(t.icmpCode, &p) } }
    case .udpSourcePort: for i in 0..<levels { let t = transport(i); if t.kind == .udp { next(&p); putDecimal(t.sourcePort, &p) } }
    case .udpDestinationPort: for i in 0..<levels { let t = transport(i); if t.kind == .udp { next(&p); putDecimal(t.destinationPort, &p) } }
    case .udpLength:
        for i in 0..<levels { let t = transport(i); if t.kind == .udp, t.headerLength > 0 { next(&p); putDecimal(UInt64(t.payloadLength + 8), &p) } }
    case .tcpSourcePort: for i in 0..<levels { let t = transport(i); if t.kind == .tcp { next(&p); putDecimal(t.sourcePort, &p) } }
    case .tcpDestinationPort: for i in 0..<levels { let t = transport(i); if t.kind == .tcp { next(&p); putDecimal(t.destinationPort, &p) } }
    case .tcpSequenceRaw: for i in 0..<levels { let t = transport(i); if t.kind == .tcp { next(&p); putDecimal(UInt64(t.sequence), &p) } }
    case .tcpAckRaw:
        for i in 0..<levels { let t = transport(i); if t.kind == .tcp, t.headerLength > 0 { next(&p); putDecimal(UInt64(t.acknowledgement), &p) } }
    case .tcpFlags:
        for i in 0..<levels { let t = transport(i); if t.kind == .tcp, t.headerLength > 0 { next(&p); putHexFixed(UInt64(t.tcpFlags.rawValue), digits: 4, &p) } }
    case .tcpLength:
        for i in 0..<levels { let t = transport(i); if t.kind == .tcp, t.headerLength > 0 { next(&p); putDecimal(UInt64(t.payloadLength), &p) } }
    case .vxlanVNI:
        for i in 0..<levels { if let t = tunnel(i), t.kind == .vxlan || t.kind == .vxlanGPE, let v = t.vni { next(&p); putDecimal(UInt64(v), &p) } }
    // tshark 4.0 declares geneve.vni as a hexadecimal 24-bit field: 0x%06x.
    case .geneveVNI: for i in 0..<levels { if let t = tunnel(i), t.kind == .geneve, let v = t.vni { next(&p); putHexFixed(UInt64(v), digits: 6, &p) } }
    case .greKey: for i in 0..<levels { if let t = tunnel(i), t.kind == .gre, let v = t.vni { next(&p); putDecimal(UInt64(v), &p) } }
    case .frameProtocols, .decodeStop, .bgpType, .bgpNLRIPrefix, .bgpWithdrawnPrefix, .bgpNextHop, .ospfMessage, .ospfSourceRouter,
        .ospfAreaID:
        return false
    }
    return true
}

/// `seconds.nanoseconds`, nine digits after the point. Not inlined: the
/// compiler hoisted its arithmetic out of the field loop, for every line.
@inline(never)
private func putTime(_ frame: FrameFacts, _ p: inout Cursor) {
    putDecimal(UInt64(max(0, frame.seconds)), &p)
    put(UInt8(ascii: "."), &p)
    var ns = frame.nanoseconds % 1_000_000_000
    var digits: UInt32 = 100_000_000
    while digits > 0 { put(UInt8(48 + ns / digits), &p); ns %= digits; digits /= 10 }
}
