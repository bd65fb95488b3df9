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

extension DecodedPacket {
    /// Appends the value(s) of `field` for this packet to `out`, formatted as tshark does.
    public func write<C: ControlPlaneFieldWriter>(
        _ field: PacketField, frame: FrameFacts, control: inout C, to out: inout [UInt8]
    ) {
        // False once an occurrence has been written: the next one is preceded by ','.
        var first = true
        switch field {
        case .frameNumber: writeDecimal(UInt64(frame.number), to: &out)
        case .frameLength: writeDecimal(UInt64(originalLength), to: &out)
        case .frameCapturedLength: writeDecimal(UInt64(capturedLength), to: &out)
        case .frameTimeEpoch:
            writeDecimal(UInt64(max(0, frame.seconds)), to: &out)
            out.append(UInt8(ascii: "."))
            var ns = frame.nanoseconds % 1_000_000_000
            var digits: UInt32 = 100_000_000
            while digits > 0 { out.append(UInt8(48 + ns / digits)); ns %= digits; digits /= 10 }
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
            for i in 0..<levelCount {
                writeLevelField(field, level: i, first: &first, to: &out)
            }
        }
    }

    /// Reads the level's fields in place (`levels[i].x`), never a copy of the whole level.
    private func writeLevelField(_ field: PacketField, level i: Int, first: inout Bool, to out: inout [UInt8]) {
        // Appends the separator before every occurrence but the first. (An inout
        // flag rather than a closure over a captured var: the closure cost a
        // dynamic exclusivity check, swift_beginAccess, per occurrence.)
        func next(_ out: inout [UInt8]) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        switch field {
        case .ethSource: if let e = levels[i].ethernet { next(&out); e.source.write(to: &out) }
        case .ethDestination: if let e = levels[i].ethernet { next(&out); e.destination.write(to: &out) }
        case .ethType: if let e = levels[i].ethernet { next(&out); writeHexFixed(UInt64(e.etherType), digits: 4, to: &out) }
        case .vlanID:
            // tshark's vlan.id covers 802.1Q tags (0x8100, and the old QinQ 0x9100); 802.1ad S-tags are ieee8021ad.id.
            for v in 0..<min(levels[i].vlanCount, 4) where levels[i].vlans[v].tpid != EtherType.qinq {
                next(&out); writeDecimal(UInt64(levels[i].vlans[v].id), to: &out)
            }
        case .ieee8021adID:
            for v in 0..<min(levels[i].vlanCount, 4) where levels[i].vlans[v].tpid == EtherType.qinq {
                next(&out); writeDecimal(UInt64(levels[i].vlans[v].id), to: &out)
            }
        case .vlanPriority:
            // Like vlan.id: 802.1ad S-tags carry ieee8021ad.priority instead.
            for v in 0..<min(levels[i].vlanCount, 4) where levels[i].vlans[v].tpid != EtherType.qinq {
                next(&out); writeDecimal(UInt64(levels[i].vlans[v].priority), to: &out)
            }
        case .sllPacketType: if let c = levels[i].cooked { next(&out); writeDecimal(UInt64(c.packetType), to: &out) }
        case .sllEtherType: if let c = levels[i].cooked { next(&out); writeHexFixed(UInt64(c.protocolType), digits: 4, to: &out) }
        case .sllInterfaceIndex: if let c = levels[i].cooked, c.length == 20 { next(&out); writeDecimal(UInt64(c.interfaceIndex), to: &out) }
        case .arpOpcode: if let a = levels[i].arp { next(&out); writeDecimal(UInt64(a.operation), to: &out) }
        case .arpSourceMAC: if let a = levels[i].arp, a.isEthernetIPv4 { next(&out); a.senderMAC.write(to: &out) }
        case .arpSourceIP: if let a = levels[i].arp, a.isEthernetIPv4 { next(&out); a.senderIP.write(to: &out) }
        case .arpTargetMAC: if let a = levels[i].arp, a.isEthernetIPv4 { next(&out); a.targetMAC.write(to: &out) }
        case .arpTargetIP: if let a = levels[i].arp, a.isEthernetIPv4 { next(&out); a.targetIP.write(to: &out) }
        case .ipSource: if let ip = levels[i].ip, ip.version == 4 { next(&out); ip.source.write(to: &out) }
        case .ipDestination: if let ip = levels[i].ip, ip.version == 4 { next(&out); ip.destination.write(to: &out) }
        case .ipTTL: if let ip = levels[i].ip, ip.version == 4 { next(&out); writeDecimal(UInt64(ip.ttl), to: &out) }
        case .ipProtocol: if let ip = levels[i].ip, ip.version == 4 { next(&out); writeDecimal(UInt64(ip.protocolNumber), to: &out) }
        case .ipID: if let ip = levels[i].ip, ip.version == 4 { next(&out); writeHexFixed(UInt64(ip.identification), digits: 4, to: &out) }
        case .ipLength: if let ip = levels[i].ip, ip.version == 4 { next(&out); writeDecimal(UInt64(ip.totalLength), to: &out) }
        case .ipDF: if let ip = levels[i].ip, ip.version == 4 { next(&out); out.append(ip.dontFragment ? 49 : 48) }
        case .ipMF: if let ip = levels[i].ip, ip.version == 4 { next(&out); out.append(ip.moreFragments ? 49 : 48) }
        case .ipFragmentOffset:
            // tshark 4.0 declares ip.frag_offset as the 13-bit field itself (mask 0x1fff), in 8-byte units.
            if let ip = levels[i].ip, ip.version == 4 { next(&out); writeDecimal(UInt64(ip.fragmentOffset), to: &out) }
        case .ipv6Source: if let ip = levels[i].ip, ip.version == 6 { next(&out); ip.source.write(to: &out) }
        case .ipv6Destination: if let ip = levels[i].ip, ip.version == 6 { next(&out); ip.destination.write(to: &out) }
        case .ipv6HopLimit: if let ip = levels[i].ip, ip.version == 6 { next(&out); writeDecimal(UInt64(ip.ttl), to: &out) }
        case .ipv6NextHeader: if let ip = levels[i].ip, ip.version == 6 { next(&out); writeDecimal(UInt64(ip.protocolNumber), to: &out) }
        case .ipv6PayloadLength: if let ip = levels[i].ip, ip.version == 6 { next(&out); writeDecimal(UInt64(ip.totalLength - 40), to: &out) }
        case .ipv6FlowLabel: if let ip = levels[i].ip, ip.version == 6 { next(&out); writeHexFixed(UInt64(ip.flowLabel), digits: 6, to: &out) }
        case .icmpType: if levels[i].transport.kind == .icmp { next(&out); writeDecimal(UInt64(levels[i].transport.icmpType), to: &out) }
        case .icmpCode: if levels[i].transport.kind == .icmp { next(&out); writeDecimal(UInt64(levels[i].transport.icmpCode), to: &out) }
        case .icmpv6Type: if levels[i].transport.kind == .icmpv6 { next(&out); writeDecimal(UInt64(levels[i].transport.icmpType), to: &out) }
        case .icmpv6Code: if levels[i].transport.kind == .icmpv6 { next(&out); writeDecimal(UInt64(levels[i].transport.icmpCode), to: &out) }
        case .udpSourcePort: if levels[i].transport.kind == .udp { next(&out); writeDecimal(UInt64(levels[i].transport.sourcePort), to: &out) }
        case .udpDestinationPort: if levels[i].transport.kind == .udp { next(&out); writeDecimal(UInt64(levels[i].transport.destinationPort), to: &out) }
        case .udpLength:
            if levels[i].transport.kind == .udp, levels[i].transport.headerLength > 0 {
                next(&out); writeDecimal(UInt64(levels[i].transport.payloadLength + 8), to: &out)
            }
        case .tcpSourcePort: if levels[i].transport.kind == .tcp { next(&out); writeDecimal(UInt64(levels[i].transport.sourcePort), to: &out) }
        case .tcpDestinationPort: if levels[i].transport.kind == .tcp { next(&out); writeDecimal(UInt64(levels[i].transport.destinationPort), to: &out) }
        case .tcpSequenceRaw: if levels[i].transport.kind == .tcp { next(&out); writeDecimal(UInt64(levels[i].transport.sequence), to: &out) }
        case .tcpAckRaw: if levels[i].transport.kind == .tcp, levels[i].transport.headerLength > 0 { next(&out); writeDecimal(UInt64(levels[i].transport.acknowledgement), to: &out) }
        case .tcpFlags: if levels[i].transport.kind == .tcp, levels[i].transport.headerLength > 0 { next(&out); writeHexFixed(UInt64(levels[i].transport.tcpFlags.rawValue), digits: 4, to: &out) }
        case .tcpLength: if levels[i].transport.kind == .tcp, levels[i].transport.headerLength > 0 { next(&out); writeDecimal(UInt64(levels[i].transport.payloadLength), to: &out) }
        case .vxlanVNI: if let t = levels[i].tunnel, t.kind == .vxlan || t.kind == .vxlanGPE, let v = t.vni { next(&out); writeDecimal(UInt64(v), to: &out) }
        case .geneveVNI:
            // tshark 4.0 declares geneve.vni as a hexadecimal 24-bit field: 0x%06x.
            if let t = levels[i].tunnel, t.kind == .geneve, let v = t.vni { next(&out); writeHexFixed(UInt64(v), digits: 6, to: &out) }
        case .greKey: if let t = levels[i].tunnel, t.kind == .gre, let v = t.vni { next(&out); writeDecimal(UInt64(v), to: &out) }
        default: break
        }
    }
}
