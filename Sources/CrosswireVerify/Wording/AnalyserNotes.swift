// The analysers' typed notes on the frames they keep as evidence, in words:
// the analysers record addresses, numbers and kinds, and only these sentences
// say what they mean. The checks' detail closures call them.

import CrosswireDecoder

extension TunnelSignature: CustomStringConvertible {
    /// `VXLAN VNI 42 UDP port 4789`: a tunnel as the plan would name it.
    var description: String {
        var s = kind.description
        if let vni { s += " VNI \(vni)" }
        if port != 0 { s += " UDP port \(port)" }
        return s
    }
}

extension Sentences {
    func note(_ n: TunnelNote) -> String {
        switch n {
        case .laterFragment(let kind, let source, let destination, let offset):
            "\(kind) tunnel packet \(source) > \(destination) fragmented (offset \(offset))"
        case .fragmentBeforeFirst(let kind, let source, let destination, let later):
            "\(kind) tunnel packet \(source) > \(destination) fragmented: a later fragment, captured before the first (frame \(later.frame))"
        case .fragmented(let kind, let source, let destination, let innerBytes, let underlayMTU):
            "\(kind) tunnel packet \(source) > \(destination) fragmented (\(innerBytes) inner bytes over a \(underlayMTU)-byte underlay)"
        case .oversizeTunnel(let kind, let bytes, let underlayMTU):
            "\(kind) tunnel packet of \(bytes) bytes exceeds the underlay MTU \(underlayMTU)"
        case .oversizeInner(let bytes, let containerMTU):
            "inner packet of \(bytes) bytes exceeds the planned container MTU \(containerMTU)"
        case .wrongEndpoint(let innerDestination, let owner, let outerDestination):
            "inner destination \(innerDestination) belongs to \(name(owner)) (\(topology.nodes[owner].address)) but the tunnel goes to \(topology.describe(outerDestination))"
        case .mssAboveContainerMTU(let mss, let containerMTU, let headers):
            "SYN MSS \(mss) above transport.mtu \(containerMTU) - \(headers)"
        case .mssAbovePath(let mss, let underlayMTU, let tunnelCost, let headers):
            "SYN MSS \(mss) above what the path carries (\(underlayMTU) - \(tunnelCost) - \(headers) = \(underlayMTU - tunnelCost - headers))"
        }
    }

    /// `ICMP host unreachable from host2 (10.0.0.2) about 192.168.1.2 > 192.168.2.3`, with the MTU or the probe.
    func note(_ n: ICMPNote) -> String {
        let m = n.message
        let extra: String
        switch n.extra {
        case .none: extra = ""
        case .probe: extra = " (traceroute probe)"
        case .mtu(let mtu): extra = " (MTU \(mtu))"
        }
        var about = ""
        if let source = m.quotedSource, let destination = m.quotedDestination { about = " about \(source) > \(destination)" }
        return "\(Self.icmpName(v6: m.v6, type: m.type, code: m.code))\(extra) from \(topology.describe(m.sender))\(about)"
    }

    func note(_ n: NATNote) -> String {
        switch n {
        case .ttlDrop(let earlier, let earlierTTL, let ttl):
            "TTL \(earlierTTL) at capture \(earlier.capture) frame \(earlier.frame), \(ttl) here: routed between the points"
        case .loop(let endpoints, let ttl, let first):
            "the same packet \(endpoints.sourceText) > \(endpoints.destinationText) seen again with TTL falling to \(ttl) (first at frame \(first.frame)): a forwarding loop"
        }
    }

    func note(_ n: BlackHoleNote) -> String {
        "a large TCP segment was sent \(n.sends) times (last at frame \(n.last.frame)) and never acknowledged: a path-MTU black hole"
    }

    func note(_ n: ChecksumNote) -> String {
        let field = switch n.field {
        case .outerUDP: "outer UDP"
        case .innerIPv4: "inner IPv4 header"
        case .innerTCP: "inner TCP"
        case .innerUDP: "inner UDP"
        case .innerICMP: "inner ICMP"
        }
        return "\(field) checksum wrong on \(n.kind) \(n.source) > \(n.destination)"
    }

    func note(_ n: ControlPlaneNote) -> String {
        switch n {
        case .bgpSegmentCut: "BGP segment cut by the snapshot length"
        }
    }

    /// An ICMP or ICMPv6 message's type and code as a name.
    static func icmpName(v6: Bool, type: UInt8, code: UInt8) -> String {
        if v6 {
            switch (type, code) {
            case (1, 0): return "ICMPv6 no route to destination"
            case (1, 1): return "ICMPv6 administratively prohibited"
            case (1, 3): return "ICMPv6 address unreachable"
            case (1, 4): return "ICMPv6 port unreachable"
            case (2, _): return "ICMPv6 packet too big"
            case (3, _): return "ICMPv6 hop limit exceeded"
            case (137, _): return "ICMPv6 redirect"
            default: return "ICMPv6 type \(type) code \(code)"
            }
        }
        switch (type, code) {
        case (3, 0): return "ICMP network unreachable"
        case (3, 1): return "ICMP host unreachable"
        case (3, 2): return "ICMP protocol unreachable"
        case (3, 3): return "ICMP port unreachable"
        case (3, 4): return "ICMP fragmentation needed"
        case (3, 13): return "ICMP communication administratively prohibited"
        case (3, _): return "ICMP destination unreachable (code \(code))"
        case (5, _): return "ICMP redirect"
        case (11, _): return "ICMP time exceeded"
        default: return "ICMP type \(type) code \(code)"
        }
    }
}
