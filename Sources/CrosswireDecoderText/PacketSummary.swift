// A one-line, tcpdump-like text form of a decoded packet.

import CrosswireDecoder

extension DecodedPacket {
    /// Appends a one-line summary: every level (`eth … > …`, `vlan N`, `IP a > b`,
    /// `UDP 1 > 2`, `VXLAN vni 1 |` …) and, when decoding stopped early, why.
    public func writeSummary(to out: inout [UInt8]) {
        for i in 0..<levelCount {
            let l = levels[i]
            if i > 0 { append(l.origin == .icmpQuote ? " [quoted: " : " | ", &out) }
            var wrote = false
            func gap(_ out: inout [UInt8]) { if wrote { out.append(UInt8(ascii: " ")) }; wrote = true }
            if let e = l.ethernet {
                gap(&out); e.source.write(to: &out); append(" > ", &out); e.destination.write(to: &out)
            }
            for v in 0..<min(l.vlanCount, 4) { gap(&out); append("vlan ", &out); writeDecimal(UInt64(l.vlans[v].id), to: &out) }
            if let a = l.arp {
                gap(&out)
                if a.isEthernetIPv4 {
                    switch a.operation {
                    case 1:
                        append("ARP who-has ", &out); a.targetIP.write(to: &out); append(" tell ", &out); a.senderIP.write(to: &out)
                    case 2:
                        append("ARP reply ", &out); a.senderIP.write(to: &out); append(" is-at ", &out); a.senderMAC.write(to: &out)
                    default:
                        append("ARP op ", &out); writeDecimal(UInt64(a.operation), to: &out)
                    }
                } else {
                    append("ARP op ", &out); writeDecimal(UInt64(a.operation), to: &out)
                }
            }
            if let ip = l.ip {
                gap(&out)
                append(ip.version == 4 ? "IP " : "IP6 ", &out)
                ip.source.write(to: &out)
                writePort(l.transport, source: true, &out)
                append(" > ", &out)
                ip.destination.write(to: &out)
                writePort(l.transport, source: false, &out)
                append(": ", &out)
                switch l.transport.kind {
                case .udp: append("UDP", &out)
                case .tcp:
                    append("TCP [", &out)
                    writeFlags(l.transport.tcpFlags, &out)
                    append("] seq ", &out); writeDecimal(UInt64(l.transport.sequence), to: &out)
                case .icmp, .icmpv6:
                    append(l.transport.kind == .icmp ? "ICMP type " : "ICMP6 type ", &out)
                    writeDecimal(UInt64(l.transport.icmpType), to: &out)
                    append(" code ", &out); writeDecimal(UInt64(l.transport.icmpCode), to: &out)
                case .none:
                    append("proto ", &out); writeDecimal(UInt64(ip.protocolNumber), to: &out)
                }
                if l.transport.kind == .udp || l.transport.kind == .tcp {
                    append(" len ", &out); writeDecimal(UInt64(l.transport.payloadLength), to: &out)
                }
                append(ip.version == 4 ? " ttl " : " hlim ", &out); writeDecimal(UInt64(ip.ttl), to: &out)
                if ip.version == 4 {
                    append(" id ", &out); writeDecimal(UInt64(ip.identification), to: &out)
                }
                if ip.isFragment {
                    append(" frag ", &out); writeDecimal(UInt64(ip.fragmentOffset) * 8, to: &out)
                    if ip.moreFragments { append("+", &out) }
                }
                if ip.dontFragment { append(" DF", &out) }
            }
            if let t = l.tunnel {
                gap(&out)
                switch t.kind {
                case .vxlan, .geneve:
                    append(t.kind == .vxlan ? "VXLAN vni " : "GENEVE vni ", &out)
                    writeDecimal(UInt64(t.vni ?? 0), to: &out)
                case .gre:
                    append("GRE", &out)
                    if let k = t.vni { append(" key ", &out); writeDecimal(UInt64(k), to: &out) }
                default:
                    append(t.kind.description.uppercased(), &out)
                }
            }
            if l.origin == .icmpQuote { out.append(UInt8(ascii: "]")) }
        }
        if let stop {
            append(stop.isMalformed ? " [malformed: " : " [not decoded: ", &out)
            stop.write(to: &out)
            out.append(UInt8(ascii: "]"))
        }
    }

    private func writePort(_ t: TransportFields, source: Bool, _ out: inout [UInt8]) {
        guard t.kind == .udp || t.kind == .tcp else { return }
        out.append(UInt8(ascii: "."))
        writeDecimal(UInt64(source ? t.sourcePort : t.destinationPort), to: &out)
    }

    private func writeFlags(_ f: TCPFlags, _ out: inout [UInt8]) {
        if f.contains(.syn) { out.append(UInt8(ascii: "S")) }
        if f.contains(.fin) { out.append(UInt8(ascii: "F")) }
        if f.contains(.rst) { out.append(UInt8(ascii: "R")) }
        if f.contains(.psh) { out.append(UInt8(ascii: "P")) }
        if f.contains(.ack) { out.append(UInt8(ascii: ".")) }
        if f.contains(.urg) { out.append(UInt8(ascii: "U")) }
        if f.contains(.ece) { out.append(UInt8(ascii: "E")) }
        if f.contains(.cwr) { out.append(UInt8(ascii: "W")) }
    }
}

/// Appends the UTF-8 bytes of a static string.
@inline(__always) func append(_ s: StaticString, _ out: inout [UInt8]) {
    s.withUTF8Buffer { out.append(contentsOf: $0) }
}

@inline(__always) func append(_ s: String, _ out: inout [UInt8]) {
    out.append(contentsOf: s.utf8)
}
