// Matches the same packet seen at different capture points and records what
// changed on the way: addresses and ports (NAT), TTL (a routed hop), or a
// packet circling past one point with a falling TTL (a forwarding loop).

import CrosswireDecoder

/// One packet seen at two points with different addresses or ports.
struct Translation: Hashable, Sendable {
    /// The packet as seen at the first point, and at the second.
    var first: Endpoints
    var second: Endpoints

    static func == (a: Self, b: Self) -> Bool { a.first == b.first && a.second == b.second }
    func hash(into h: inout Hasher) {
        h.combine(first.source); h.combine(first.destination); h.combine(first.sourcePort); h.combine(first.destinationPort)
        h.combine(second.source); h.combine(second.destination); h.combine(second.sourcePort); h.combine(second.destinationPort)
    }
}

/// What the correlator keeps per packet fingerprint.
struct Sighting {
    var ref: FrameRef
    var endpoints: Endpoints
    var ttl: UInt8
    /// Repeats at the same capture point with a falling TTL.
    var fallingRepeats: UInt8
    var lastTTL: UInt8
    var loopReported: Bool
    /// Seen at another capture point too.
    var matched: Bool = false
}

/// What is known about one translation.
struct TranslationRecord: Sendable {
    var count: Int
    var first: FrameRef
    var second: FrameRef
    /// The first few packets of it, as (first point, second point) pairs.
    var examples: [(FrameRef, FrameRef)]
    /// A packet of it opened the exchange (TCP SYN without ACK, ICMP echo request).
    var initiating: Bool
    /// When it was first matched (the later sighting's time): which of two halves came first,
    /// whatever the order of the captures.
    var seen: Timestamp
}

/// What a matched packet kept as evidence shows (worded in Wording/AnalyserNotes.swift).
enum NATNote: Sendable {
    /// TTL `earlierTTL` at the `earlier` frame, `ttl` here: routed between the points.
    case ttlDrop(earlier: FrameRef, earlierTTL: UInt8, ttl: UInt8)
    /// The same packet again, its TTL falling to `ttl`, first seen at `first`: a forwarding loop.
    case loop(Endpoints, ttl: UInt8, first: FrameRef)
}

/// What packet matching across capture points found.
struct NATFindings {
    /// Distinct translations, with how often each was seen and the first frames.
    var translations: [Translation: TranslationRecord] = [:]
    var droppedTranslations = 0
    /// Packets matched at two points with nothing changed.
    var unchangedMatches = 0
    var unchangedExample: (FrameRef, FrameRef)?
    /// Matched packets whose TTL fell between the points (a routed hop), container traffic only.
    var ttlDrops = EvidenceList<NATNote>(limit: 20)
    /// Forwarding loops: the same packet 3+ times at one point with a falling TTL.
    var loops = EvidenceList<NATNote>(limit: 20)
    /// Packets seen at one point only that only a translation explains.
    var unmatchedCandidates: [(ref: FrameRef, endpoints: Endpoints, kind: NATCorrelator.SinglePointKind)] = []
    /// Fingerprints evicted from the bounded table.
    var fingerprintEvictions = 0
    /// Packets from a host's own address opening an exchange with another host's containers (bounded).
    var hostSourced: [HostSourcedSighting] = []
}

/// A packet from a host's own address that opens an exchange (SYN, echo request) with another
/// host's containers, not tunnelled. Where it leaves that host's NIC its TTL tells whether the
/// host sent it (an initial TTL) or forwarded it, rewriting the source to its own address.
struct HostSourcedSighting {
    var fingerprint: UInt64
    var ref: FrameRef
    var endpoints: Endpoints
    var ttl: UInt8
    var sourceMAC: MACAddress?
    /// The planned host whose address is the source.
    var host: Int
}

/// Cross-capture packet matching with bounded memory.
struct NATCorrelator: MemoAnalyser {
    static var findingsPath: WritableKeyPath<Findings, NATFindings> { \.nat }
    /// Fingerprints kept (88 bytes each, and two 8-byte index slots per entry); when full,
    /// the oldest seen gives way, counted (InsertionRing.swift).
    static let capacity = 1 << 18

    let topology: Topology
    var findings = NATFindings()
    var table = InsertionRing<Sighting>(capacity: NATCorrelator.capacity)
    /// Packets never matched elsewhere that only a translation explains (checked at the end).
    var singlePointCandidates: [(fingerprint: UInt64, ref: FrameRef, endpoints: Endpoints, kind: SinglePointKind)] = []
    static let maxCandidates = 256

    enum SinglePointKind { case unpublishedHostPort }
    static let maxTranslations = 4096

    init(topology: Topology) {
        self.topology = topology
        singlePointCandidates.reserveCapacity(Self.maxCandidates)
        findings.hostSourced.reserveCapacity(Self.maxCandidates)
    }

    /// The packets matched across points: the first `firstPackets` of each flow at each point,
    /// every packet of no flow (FlowKey), every TCP segment that opens, closes or resets, every
    /// ICMP message (an echo request opens an exchange: masquerade is judged on those), and
    /// 1 in `sampleRate` of the rest, chosen by a hash of what a translation leaves alone (IP
    /// identification and length, TCP sequence and acknowledgement numbers, the first 8
    /// payload bytes): the same packets at every point, so a long flow still matches where
    /// both points saw it. Applied with and without the fast path, so the verdict is the same.
    @inline(__always)
    static func samples(_ p: PacketView, bytes: borrowing RawSpan, flow: FlowSighting) -> Bool {
        flow.position <= firstPackets || everyPacket(p, flow: flow) || sampled(p, bytes: bytes, level: flow.innermostIPLevel!)
    }

    /// Every packet of the flow: no flow or no IP, an opening, closing or reset TCP segment, an ICMP message.
    @inline(__always)
    static func everyPacket(_ p: PacketView, flow: FlowSighting) -> Bool {
        guard let i = flow.innermostIPLevel, p.levels[i].ip != nil else { return true }
        let t = p.levels[i].transport
        return (t.kind == .tcp && !t.tcpFlags.isDisjoint(with: TCPFlags.syn.union(.fin).union(.rst))) || t.kind == .icmp || t.kind == .icmpv6
    }

    /// 1 in `sampleRate` of the other packets of a flow, by level `i`'s hash.
    @inline(__always)
    static func sampled(_ p: PacketView, bytes: borrowing RawSpan, level i: Int) -> Bool {
        let ip = p.levels[i].ip!, t = p.levels[i].transport
        var h = KeyHasher()
        h.add(UInt64(ip.identification) << 32 | UInt64(t.sequence))
        h.add(UInt64(t.acknowledgement) << 32 | UInt64(UInt32(truncatingIfNeeded: ip.totalLength)))
        h.add(bytes, from: t.payloadOffset, count: min(8, t.capturedPayloadLength))
        return h.value % sampleRate == 0
    }
    static let firstPackets: UInt32 = 8
    static let sampleRate: UInt64 = 16

    /// `samples`, its flow-wide part kept as the flow's fact.
    @inline(__always)
    func isNew(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext) -> Bool {
        frame.flow.position <= Self.firstPackets || frame.flow.fact || Self.sampled(p, bytes: bytes, level: frame.flow.innermostIPLevel!)
    }

    /// Every packet of the flow is sampled (`everyPacket`: its key holds the TCP flags and ICMP types).
    @inline(__always)
    func flowFact(_ p: PacketView, frame: FrameContext) -> Bool { Self.everyPacket(p, flow: frame.flow) }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext, memo: inout FrameMemo) {
        let ref = frame.ref
        guard Self.samples(p, bytes: bytes, flow: frame.flow), let i = frame.innermostIPLevel(of: p), let ip = p.levels[i].ip, p.levels[i].transport.kind != .none,
            !ip.destination.isMulticastOrBroadcast, !ip.source.isUnspecified,
            let fingerprint = memo.fingerprint(p, level: i, bytes: bytes)
        else { return }
        let endpoints = Endpoints(p, level: i)
        let ttl = p.levels[i].ip!.ttl
        let t = p.levels[i].transport
        let initiating = (t.kind == .tcp && t.tcpFlags.contains(.syn) && !t.tcpFlags.contains(.ack))
            || (t.kind == .icmp && t.icmpType == 8) || (t.kind == .icmpv6 && t.icmpType == 128)
        if initiating, i == 0, findings.hostSourced.count < Self.maxCandidates,
            let host = topology.node(at: endpoints.source), !topology.nodes[host].containerSubnets.isEmpty,
            let target = topology.owner(of: endpoints.destination), target != host
        {
            var mac = p.levels[0].ethernet?.source
            if mac == nil, let cooked = p.levels[0].cooked { mac = cooked.source }
            findings.hostSourced.append(HostSourcedSighting(fingerprint: fingerprint, ref: ref, endpoints: endpoints, ttl: ttl, sourceMAC: mac, host: host))
        }
        if singlePointCandidates.count < Self.maxCandidates, initiating, t.kind == .tcp, topology.isContainer(endpoints.source),
            let dstNode = topology.node(at: endpoints.destination), !topology.nodes[dstNode].isRouter,
            topology.owner(of: endpoints.source) != dstNode
        {
            // A container opening a connection to another host's address: what DNAT would look like from one point.
            singlePointCandidates.append((fingerprint, ref, endpoints, .unpublishedHostPort))
        }
        var event: (kind: UInt8, other: Sighting)? = nil
        table.update(fingerprint) { stored in
            guard var s = stored else {
                stored = Sighting(ref: ref, endpoints: endpoints, ttl: ttl, fallingRepeats: 0, lastTTL: ttl, loopReported: false)
                return
            }
            if s.ref.point == ref.point {
                if ttl < s.lastTTL {
                    s.fallingRepeats &+= 1
                    s.lastTTL = ttl
                    if s.fallingRepeats >= 2 && !s.loopReported {
                        s.loopReported = true
                        event = (2, s)
                    }
                }
            } else if s.endpoints != endpoints {
                s.matched = true
                event = (0, s)
            } else {
                s.matched = true
                event = (1, s)
            }
            stored = s
        }
        guard let (kind, other) = event else { return }
        switch kind {
        case 0:
            // The sighting with the higher TTL is the earlier on the packet's path; time decides
            // only between equal TTLs (two interfaces of a host, or two clocks, may disagree by microseconds).
            let otherFirst = other.ttl >= ttl
            let key = otherFirst ? Translation(first: other.endpoints, second: endpoints) : Translation(first: endpoints, second: other.endpoints)
            let pair = otherFirst ? (other.ref, ref) : (ref, other.ref)
            if var existing = findings.translations[key] {
                existing.count += 1
                existing.initiating = existing.initiating || initiating
                if existing.examples.count < 8 { existing.examples.append(pair) }
                findings.translations[key] = existing
            } else if findings.translations.count < Self.maxTranslations {
                findings.translations[key] = TranslationRecord(count: 1, first: pair.0, second: pair.1, examples: [pair], initiating: initiating, seen: frame.time)
            } else {
                findings.droppedTranslations += 1
            }
        case 1:
            findings.unchangedMatches += 1
            if findings.unchangedExample == nil { findings.unchangedExample = (other.ref, ref) }
            if other.ttl != ttl, topology.isContainer(endpoints.source) || topology.isContainer(endpoints.destination) {
                findings.ttlDrops.add(ref, .ttlDrop(earlier: other.ref, earlierTTL: other.ttl, ttl: ttl))
            }
        default:
            findings.loops.add(ref, .loop(endpoints, ttl: ttl, first: other.ref))
        }
    }
}

extension NATCorrelator {
    func finish() -> NATFindings {
        var f = findings
        f.fingerprintEvictions = table.evictions
        // Single-point candidates whose packet was never seen at another point.
        f.unmatchedCandidates = singlePointCandidates.compactMap { c in
            if let s = table.value(for: c.fingerprint), s.matched { return nil }
            return (c.ref, c.endpoints, c.kind)
        }
        return f
    }
}
