// One JSON object per packet for `crosswire decode -T json`.

import CrosswireDecoder

extension DecodedPacket {
    /// Appends this packet as one JSON object (no trailing newline).
    public func writeJSON(frame: FrameFacts, to out: inout [UInt8]) {
        append("{\"frame\":", &out); writeDecimal(UInt64(frame.number), to: &out)
        append(",\"time\":", &out)
        var none = NoControlPlaneFields()
        write(.frameTimeEpoch, frame: frame, control: &none, to: &out)
        append(",\"len\":", &out); writeDecimal(UInt64(originalLength), to: &out)
        append(",\"caplen\":", &out); writeDecimal(UInt64(capturedLength), to: &out)
        append(",\"layers\":[", &out)
        for i in 0..<layerCount {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\"")); append(layers[i].layer.description, &out); out.append(UInt8(ascii: "\""))
        }
        append("],\"levels\":[", &out)
        for i in 0..<levelCount {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            writeLevelJSON(levels[i], &out)
        }
        out.append(UInt8(ascii: "]"))
        if let stop {
            append(",\"stop\":{\"layer\":\"", &out); append(stop.layer.description, &out)
            append("\",\"offset\":", &out); writeDecimal(UInt64(stop.offset), to: &out)
            append(",\"malformed\":", &out); append(stop.isMalformed ? "true" : "false", &out)
            append(",\"reason\":\"", &out); stop.write(to: &out); append("\"}", &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private func writeLevelJSON(_ l: PacketLevel, _ out: inout [UInt8]) {
        append("{\"origin\":\"", &out)
        append(l.origin == .frame ? "frame" : l.origin == .tunnel ? "tunnel" : "icmp-quote", &out)
        out.append(UInt8(ascii: "\""))
        if let c = l.cooked {
            append(",\"sll\":{\"pkttype\":", &out); writeDecimal(UInt64(c.packetType), to: &out)
            append(",\"hatype\":", &out); writeDecimal(UInt64(c.hardwareType), to: &out)
            append(",\"protocol\":", &out); writeDecimal(UInt64(c.protocolType), to: &out)
            if c.addressLength == 6 { append(",\"src\":\"", &out); c.source.write(to: &out); out.append(UInt8(ascii: "\"")) }
            out.append(UInt8(ascii: "}"))
        }
        if let e = l.ethernet {
            append(",\"eth\":{\"src\":\"", &out); e.source.write(to: &out)
            append("\",\"dst\":\"", &out); e.destination.write(to: &out)
            append("\",\"type\":", &out); writeDecimal(UInt64(e.etherType), to: &out)
            out.append(UInt8(ascii: "}"))
        }
        if l.vlanCount > 0 {
            append(",\"vlan\":[", &out)
            for v in 0..<min(l.vlanCount, 4) {
                if v > 0 { out.append(UInt8(ascii: ",")) }
                append("{\"id\":", &out); writeDecimal(UInt64(l.vlans[v].id), to: &out)
                append(",\"pcp\":", &out); writeDecimal(UInt64(l.vlans[v].priority), to: &out)
                append(",\"tpid\":", &out); writeDecimal(UInt64(l.vlans[v].tpid), to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let a = l.arp {
            append(",\"arp\":{\"op\":", &out); writeDecimal(UInt64(a.operation), to: &out)
            if a.isEthernetIPv4 {
                append(",\"sender_mac\":\"", &out); a.senderMAC.write(to: &out)
                append("\",\"sender_ip\":\"", &out); a.senderIP.write(to: &out)
                append("\",\"target_mac\":\"", &out); a.targetMAC.write(to: &out)
                append("\",\"target_ip\":\"", &out); a.targetIP.write(to: &out)
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
        }
        if let ip = l.ip {
            append(",\"ip\":{\"version\":", &out); writeDecimal(UInt64(ip.version), to: &out)
            append(",\"src\":\"", &out); ip.source.write(to: &out)
            append("\",\"dst\":\"", &out); ip.destination.write(to: &out)
            append("\",\"ttl\":", &out); writeDecimal(UInt64(ip.ttl), to: &out)
            append(",\"proto\":", &out); writeDecimal(UInt64(ip.protocolNumber), to: &out)
            append(",\"id\":", &out); writeDecimal(UInt64(ip.identification), to: &out)
            append(",\"len\":", &out); writeDecimal(UInt64(ip.totalLength), to: &out)
            append(",\"df\":", &out); append(ip.dontFragment ? "true" : "false", &out)
            append(",\"mf\":", &out); append(ip.moreFragments ? "true" : "false", &out)
            append(",\"frag_offset\":", &out); writeDecimal(UInt64(ip.fragmentOffset) * 8, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        let t = l.transport
        switch t.kind {
        case .udp, .tcp:
            append(t.kind == .udp ? ",\"udp\":{" : ",\"tcp\":{", &out)
            append("\"srcport\":", &out); writeDecimal(UInt64(t.sourcePort), to: &out)
            append(",\"dstport\":", &out); writeDecimal(UInt64(t.destinationPort), to: &out)
            if t.kind == .tcp {
                append(",\"seq\":", &out); writeDecimal(UInt64(t.sequence), to: &out)
                append(",\"ack\":", &out); writeDecimal(UInt64(t.acknowledgement), to: &out)
                append(",\"flags\":", &out); writeDecimal(UInt64(t.tcpFlags.rawValue), to: &out)
            }
            append(",\"payload\":", &out); writeDecimal(UInt64(t.payloadLength), to: &out)
            out.append(UInt8(ascii: "}"))
        case .icmp, .icmpv6:
            append(t.kind == .icmp ? ",\"icmp\":{" : ",\"icmpv6\":{", &out)
            append("\"type\":", &out); writeDecimal(UInt64(t.icmpType), to: &out)
            append(",\"code\":", &out); writeDecimal(UInt64(t.icmpCode), to: &out)
            out.append(UInt8(ascii: "}"))
        case .none:
            break
        }
        if let tun = l.tunnel {
            append(",\"tunnel\":{\"kind\":\"", &out); append(tun.kind.description, &out); out.append(UInt8(ascii: "\""))
            if let v = tun.vni { append(",\"vni\":", &out); writeDecimal(UInt64(v), to: &out) }
            if tun.udpPort != 0 { append(",\"port\":", &out); writeDecimal(UInt64(tun.udpPort), to: &out) }
            append(",\"inner_length\":", &out); writeDecimal(UInt64(max(0, tun.innerLength)), to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }
}
