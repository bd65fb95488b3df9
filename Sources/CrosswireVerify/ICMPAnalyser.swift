// ICMP and ICMPv6 errors about container traffic: routing errors
// (unreachable, redirect, time exceeded) and path-MTU messages.

import CrosswireDecoder

/// ICMP errors about container traffic, by what they mean.
struct ICMPFindings {
    var routingErrors = EvidenceList()
    var mtuMessages = EvidenceList()
    /// Port/protocol unreachable about container traffic: the host was reached; noted, not failed.
    var portUnreachable = EvidenceList(limit: 5)
}

struct ICMPAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, ICMPFindings> { \.icmp }
    let topology: Topology
    var findings = ICMPFindings()
    init(topology: Topology) { self.topology = topology }
    func finish() -> ICMPFindings { findings }

    /// IPv4 destination-unreachable codes that mean the network or host could not be reached.
    static func isRoutingUnreachableV4(_ code: UInt8) -> Bool {
        switch code {
        case 0, 1, 6, 7, 9, 10, 11, 12, 13: true
        default: false
        }
    }

    mutating func observe(_ p: borrowing DecodedPacket, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        for i in 0..<p.levelCount where p.levels[i].origin != .icmpQuote {
            let t = p.levels[i].transport
            guard t.kind == .icmp || t.kind == .icmpv6, let ip = p.levels[i].ip else { continue }
            let v6 = t.kind == .icmpv6
            let type = t.icmpType, code = t.icmpCode
            let isMTU = v6 ? type == 2 : (type == 3 && code == 4)
            let isRouting = v6
                ? (type == 1 && (code == 0 || code == 1 || code == 3)) || type == 3 || type == 137
                : (type == 3 && Self.isRoutingUnreachableV4(code)) || type == 5 || type == 11
            let isPort = v6 ? (type == 1 && code == 4) : (type == 3 && (code == 2 || code == 3))
            guard isMTU || isRouting || isPort else { continue }
            // Does it concern container traffic: its sender, its destination or the quoted packet?
            var concerns = topology.isContainer(ip.source) || topology.isContainer(ip.destination)
            var quoted: IPFields? = nil
            if i + 1 < p.levelCount, p.levels[i + 1].origin == .icmpQuote, let q = p.levels[i + 1].ip {
                concerns = concerns || topology.isContainer(q.source) || topology.isContainer(q.destination)
                quoted = q
            }
            guard concerns else { continue }
            // The detail texts are built only for the frames an evidence list keeps.
            func detail(_ extra: String = "") -> String {
                let about = quoted.map { " about \($0.source) > \($0.destination)" } ?? ""
                return "\(Self.name(v6: v6, type: type, code: code))\(extra) from \(topology.describe(ip.source))\(about)"
            }
            if isMTU {
                let mtu = v6 ? Int(t.icmpRest) : Int(t.icmpRest & 0xFFFF)
                findings.mtuMessages.add(ref, detail(" (MTU \(mtu))"))
            } else if isRouting {
                findings.routingErrors.add(ref, detail())
            } else {
                findings.portUnreachable.add(ref, detail())
            }
        }
    }

    static func name(v6: Bool, type: UInt8, code: UInt8) -> String {
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
