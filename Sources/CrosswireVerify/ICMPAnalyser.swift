// ICMP and ICMPv6 errors about container traffic: routing errors
// (unreachable, redirect, time exceeded) and path-MTU messages.

import CrosswireDecoder

/// One ICMP error: its sender, type and code, and the quoted packet's ends.
struct ICMPErrorSeen: Sendable {
    var sender: IPAddress
    var quotedSource: IPAddress?
    var quotedDestination: IPAddress?
    var v6: Bool
    var type: UInt8
    var code: UInt8

    /// Unreachable because a filter said no (IPv4 codes 9, 10, 13; ICMPv6 code 1).
    var isProhibited: Bool { v6 ? type == 1 && code == 1 : type == 3 && (code == 9 || code == 10 || code == 13) }
    var isRedirect: Bool { v6 ? type == 137 : type == 5 }
    var isTimeExceeded: Bool { v6 ? type == 3 : type == 11 }
}

/// An ICMP error kept as evidence, with what its kind adds (worded in Wording/AnalyserNotes.swift).
struct ICMPNote: Sendable {
    var message: ICMPErrorSeen
    var extra = Extra.none
    enum Extra: Sendable {
        case none
        case probe
        /// The next-hop MTU a fragmentation-needed/packet-too-big names.
        case mtu(Int)
    }
}

/// ICMP errors about container traffic, by what they mean.
struct ICMPFindings {
    var routingErrors = EvidenceList<ICMPNote>()
    var mtuMessages = EvidenceList<ICMPNote>()
    /// Port/protocol unreachable about container traffic: the host was reached; noted, not failed.
    var portUnreachable = EvidenceList<ICMPNote>(limit: 5)
    /// Time-exceeded answers to traceroute/mtr probes (UDP 33434–33534): diagnostics.
    var probeAnswers = EvidenceList<ICMPNote>(limit: 5)
    /// Errors about destinations that are no planned party (the internet): not judged.
    var notJudged = EvidenceList<ICMPNote>(limit: 5)
    /// Time-exceeded quoting an echo request: a probe when its sender sends echo requests
    /// with several TTLs below 64 (mtr, traceroute -I), which only the whole capture tells.
    var echoTimeExceeded: [(ref: FrameRef, prober: IPAddress, note: ICMPNote)] = []
    var echoTimeExceededDropped = 0
    /// Per sender of echo requests, the TTLs below 64 it used (bit n: TTL n).
    var echoTTLs: [IPAddress: UInt64] = [:]
    /// The first routing error as values, for the hint: who sent it, about which destination.
    var firstRoutingError: ICMPErrorSeen?
    /// The smallest next-hop MTU that fragmentation-needed/packet-too-big named (nil: none named one).
    var smallestReportedMTU: Int?
    static let maxEchoSenders = 4_096, maxEchoTimeExceeded = 1_024

    /// True when `sender` sent echo requests with two or more TTLs below 64 (rising TTL).
    func isProbing(_ sender: IPAddress) -> Bool { (echoTTLs[sender] ?? 0).nonzeroBitCount >= 2 }
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

    mutating func noteEchoRequest(_ ip: IPFields) {
        guard ip.ttl < 64 else { return }
        let bit = UInt64(1) << UInt64(ip.ttl)
        if let seen = findings.echoTTLs[ip.source] {
            if seen & bit == 0 { findings.echoTTLs[ip.source] = seen | bit }
        } else if findings.echoTTLs.count < ICMPFindings.maxEchoSenders {
            findings.echoTTLs[ip.source] = bit
        }
    }

    /// Every ICMP and ICMPv6 message but echo replies, which it ignores, and echo requests of
    /// a known flow: the flow key holds their source and TTL, all `noteEchoRequest` keeps.
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool {
        frame.flow.fact || (frame.flow.position <= 1 && Self.messages(p, echoRequests: true))
    }

    /// The flow carries a message other than an echo (its key holds the types).
    @inline(__always)
    func flowFact(_ p: PacketView, frame _: FrameContext) -> Bool { Self.messages(p, echoRequests: false) }

    /// True when a level (not a quote) is an ICMP message but an echo reply, or an echo request only when `echoRequests`.
    @inline(__always)
    static func messages(_ p: PacketView, echoRequests: Bool) -> Bool {
        for i in 0..<p.levelCount where p.levels[i].origin != .icmpQuote {
            let t = p.levels[i].transport
            guard t.kind == .icmp || t.kind == .icmpv6 else { continue }
            let v6 = t.kind == .icmpv6
            switch t.icmpType {
            case v6 ? 129 : 0: continue
            case v6 ? 128 : 8: if echoRequests { return true }
            default: return true
            }
        }
        return false
    }

    mutating func observe(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) {
        let ref = frame.ref
        for i in 0..<p.levelCount where p.levels[i].origin != .icmpQuote {
            let t = p.levels[i].transport
            guard t.kind == .icmp || t.kind == .icmpv6, let ip = p.levels[i].ip else { continue }
            let v6 = t.kind == .icmpv6
            let type = t.icmpType, code = t.icmpCode
            if type == (v6 ? 128 : 8) { noteEchoRequest(ip) }
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
            let seen = ICMPErrorSeen(sender: ip.source, quotedSource: quoted?.source, quotedDestination: quoted?.destination, v6: v6, type: type, code: code)
            let timeExceeded = v6 ? type == 3 : type == 11
            if let quoted, !topology.isPlannedParty(quoted.destination) {
                // About a destination outside the plan (an internet router's answer): not judged.
                findings.notJudged.add(ref, ICMPNote(message: seen))
            } else if timeExceeded, quoted != nil, i + 1 < p.levelCount, p.levels[i + 1].transport.kind == .udp,
                (33434...33534).contains(p.levels[i + 1].transport.destinationPort)
            {
                findings.probeAnswers.add(ref, ICMPNote(message: seen, extra: .probe))
            } else if timeExceeded, let quoted, i + 1 < p.levelCount,
                p.levels[i + 1].transport.kind == (v6 ? .icmpv6 : .icmp),
                p.levels[i + 1].transport.icmpType == (v6 ? 128 : 8)
            {
                if findings.echoTimeExceeded.count < ICMPFindings.maxEchoTimeExceeded {
                    findings.echoTimeExceeded.append((ref, quoted.source, ICMPNote(message: seen)))
                } else {
                    findings.echoTimeExceededDropped += 1
                }
            } else if isMTU {
                let mtu = v6 ? Int(t.icmpRest) : Int(t.icmpRest & 0xFFFF)
                findings.mtuMessages.add(ref, ICMPNote(message: seen, extra: .mtu(mtu)))
                if mtu > 0, mtu < findings.smallestReportedMTU ?? .max { findings.smallestReportedMTU = mtu }
            } else if isRouting {
                findings.routingErrors.add(ref, ICMPNote(message: seen))
                if findings.firstRoutingError == nil { findings.firstRoutingError = seen }
            } else {
                findings.portUnreachable.add(ref, ICMPNote(message: seen))
            }
        }
    }
}
