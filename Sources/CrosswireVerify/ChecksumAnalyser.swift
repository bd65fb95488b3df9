// The checksums that VXLAN and GENEVE frames carry: the outer UDP checksum and
// the inner IPv4, TCP, UDP and ICMP checksums (encap.checksum).
//
// A frame the capturing host sent itself is not judged (SLL "outgoing", pcapng
// epb_flags "outbound"): under
// tx checksum offload the NIC fills the checksum in after the capture saw it.
// A checksum equal to the pseudo-header's sum is that offload placeholder
// wherever it is seen (veth and virtio pass it on unfilled): counted, not judged.

import CrosswireDecoder

struct ChecksumFindings {
    /// Tunnel frames judged: received, whole, not offload aggregates.
    var judged = 0
    /// Outer UDP checksums: zero (allowed, RFC 7348), right, and offload placeholders.
    var outerAbsent = 0
    var outerRight = 0
    var placeholders = 0
    /// Frames the capturing host sent (not judged), cut by the snap length, or offload aggregates.
    var sentByCapturer = 0
    var cut = 0
    var aggregates = 0
    /// Wrong checksums, outer and inner, with the frames.
    var wrongOuter = EvidenceList<ChecksumNote>()
    var wrongInner = EvidenceList<ChecksumNote>()
    /// Judged frames per sender (the outer source) and receiving point, with the wrong ones.
    var bySender: [SenderChecksums] = []
}

struct SenderChecksums {
    var senderAddress: IPAddress
    var point: CapturePointID
    var judged = 0
    var outerWrong = 0
    var innerWrong = 0
    var firstWrong: FrameRef?
}

/// Which checksum of a tunnel frame was wrong (named in Wording/AnalyserNotes.swift).
enum ChecksumField: Sendable {
    case outerUDP, innerIPv4, innerTCP, innerUDP, innerICMP
}

/// A tunnel frame with a wrong checksum, kept as evidence.
struct ChecksumNote: Sendable {
    var field: ChecksumField
    var kind: TunnelKind
    var source: IPAddress, destination: IPAddress
}

struct ChecksumAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, ChecksumFindings> { \.checksums }
    static let senderLimit = 64
    let topology: Topology
    var found = ChecksumFindings()
    var last = 0
    /// Each flow's sender index: the outer source and the point are the flow's (every packet
    /// of a VXLAN or GENEVE flow is new here, its first one too).
    private var senderOfFlow = FlowMemo<Int>()

    init(topology: Topology) { self.topology = topology }

    /// Every VXLAN/GENEVE frame: each carries its own checksums.
    @inline(__always)
    func isNew(_: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool { frame.flow.fact }

    /// The flow is VXLAN or GENEVE (its key holds the tunnel).
    @inline(__always)
    func flowFact(_ p: PacketView, frame _: FrameContext) -> Bool {
        guard let l = p.firstTunnelLevel, let tunnel = p.levels[l].tunnel else { return false }
        return tunnel.kind == .vxlan || tunnel.kind == .geneve
    }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        let knownSender = senderOfFlow.value(for: frame)
        guard let l = p.firstTunnelLevel, let tunnel = p.levels[l].tunnel, tunnel.kind == .vxlan || tunnel.kind == .geneve,
            let outer = p.levels[l].ip, p.levels[l].origin != .icmpQuote, !outer.isFragment
        else { return }
        if p.levels[0].cooked?.packetType == 4 || frame.direction == .outbound { found.sentByCapturer += 1; return }
        let udp = p.levels[l].transport
        guard udp.kind == .udp else { return }
        let udpLength = udp.headerLength + udp.payloadLength
        guard !outer.lengthFromFrame, udp.capturedPayloadLength == udp.payloadLength, bytes.has(udpLength, at: udp.offset)
        else { found.cut += 1; return }
        // Segmentation offload merged this frame: its checksums belong to none of its wire packets.
        if outer.totalLength > topology.plan.underlay.mtu { found.aggregates += 1; return }
        found.judged += 1
        let k = knownSender ?? senderIndex(outer.source, frame.point)
        if knownSender == nil, k >= 0 { senderOfFlow.remember(k, for: frame) }
        if k >= 0 { found.bySender[k].judged += 1 }
        // The inner level first: under local checksum offload (LCO) the outer checksum is
        // computed as if the inner placeholder were already filled in. The inner segment is
        // summed once, for its own checksum and as part of the outer one.
        var innerWrong: ChecksumField?
        var placeholder = false
        var fillIn: UInt16 = 0
        var inner: (offset: Int, length: Int, sum: UInt16)?
        for i in (l + 1)..<p.levelCount {
            guard let ip = p.levels[i].ip, p.levels[i].origin != .icmpQuote else { continue }
            if ip.version == 4, bytes.has(ip.headerLength, at: ip.offset),
                ChecksumState.ipv4Header(bytes, at: ip.offset, length: ip.headerLength) == .wrong
            {
                innerWrong = .innerIPv4
                break
            }
            let t = p.levels[i].transport
            guard !ip.isFragment, t.kind != .none, t.capturedPayloadLength == t.payloadLength else { continue }
            let length = t.headerLength + t.payloadLength
            guard bytes.has(length, at: t.offset), t.offset + length <= udp.offset + udpLength else { continue }
            var segment = InternetChecksum()
            segment.add(bytes, from: t.offset, count: length)
            // Reused in the outer sum only where it falls on the outer words (even offsets).
            if (t.offset - udp.offset) % 2 == 0, length % 2 == 0 { inner = (t.offset, length, segment.folded) }
            let state: ChecksumState
            switch t.kind {
            case .tcp, .udp, .icmpv6:
                let judged = ChecksumState.transport(
                    field: bytes.u16(t.offset + (t.kind == .tcp ? 16 : t.kind == .udp ? 6 : 2)), segmentSum: segment.folded,
                    length: length, source: ip.source, destination: ip.destination,
                    protocolNumber: t.kind == .tcp ? 6 : t.kind == .udp ? 17 : 58)
                state = judged.state
                if state == .offloadPlaceholder { fillIn = ChecksumState.fillIn(afterSum: judged.sum) }
            case .icmp:
                state = segment.folded == 0xFFFF ? .right : .wrong
            case .none:
                continue
            }
            if state == .offloadPlaceholder { placeholder = true }
            if state == .wrong {
                innerWrong = t.kind == .tcp ? .innerTCP : t.kind == .udp ? .innerUDP : .innerICMP
            }
            break
        }
        var wrong: ChecksumField?
        switch outerState(bytes, udp: udp, udpLength: udpLength, outer: outer, inner: inner, fillIn: fillIn) {
        case .absent: found.outerAbsent += 1
        case .right: found.outerRight += 1
        case .offloadPlaceholder: placeholder = true
        case .wrong: wrong = .outerUDP
        }
        if placeholder { found.placeholders += 1 }
        guard wrong != nil || innerWrong != nil else { return }
        let field = wrong ?? innerWrong!
        // The note is built only for the frames a list keeps (`add` takes it as an autoclosure):
        // a closure held in a `let` was allocated for every wrong frame (alloc-check).
        if wrong != nil {
            found.wrongOuter.add(frame.ref, ChecksumNote(field: field, kind: tunnel.kind, source: outer.source, destination: outer.destination))
        } else {
            found.wrongInner.add(frame.ref, ChecksumNote(field: field, kind: tunnel.kind, source: outer.source, destination: outer.destination))
        }
        guard k >= 0 else { return }
        if wrong != nil { found.bySender[k].outerWrong += 1 } else { found.bySender[k].innerWrong += 1 }
        if found.bySender[k].firstWrong == nil { found.bySender[k].firstWrong = frame.ref }
    }

    /// The outer UDP checksum's state. A zero field is no checksum (RFC 768; RFC 6935 over
    /// IPv6) whatever the bytes sum to, so it is not summed: the usual case, as Linux sends
    /// VXLAN over IPv4 without one. `inner`: the inner segment's sum, reused where it falls on
    /// the outer words.
    @inline(__always)
    private func outerState(
        _ bytes: borrowing RawSpan, udp: TransportFields, udpLength: Int, outer: IPFields,
        inner: (offset: Int, length: Int, sum: UInt16)?, fillIn: UInt16
    ) -> ChecksumState {
        let field = bytes.u16(udp.offset + 6)
        if field == 0 { return .absent }
        var outerSum = InternetChecksum()
        if let inner {
            // The headers before the inner segment, the segment's sum, and any padding after it.
            let end = inner.offset + inner.length
            outerSum.add(bytes, from: udp.offset, count: inner.offset - udp.offset)
            outerSum.add(UInt64(inner.sum))
            if end < udp.offset + udpLength { outerSum.add(bytes, from: end, count: udp.offset + udpLength - end) }
        } else {
            outerSum.add(bytes, from: udp.offset, count: udpLength)
        }
        return ChecksumState.transport(
            field: field, segmentSum: outerSum.folded, length: udpLength, source: outer.source,
            destination: outer.destination, protocolNumber: 17, adjust: fillIn
        ).state
    }

    /// The counters of a sender at a point (-1 beyond the bound); the last one found is tried first.
    private mutating func senderIndex(_ address: IPAddress, _ point: CapturePointID) -> Int {
        if last < found.bySender.count, found.bySender[last].senderAddress == address, found.bySender[last].point == point {
            return last
        }
        if let k = found.bySender.firstIndex(where: { $0.senderAddress == address && $0.point == point }) {
            last = k
            return k
        }
        guard found.bySender.count < Self.senderLimit else { return -1 }
        found.bySender.append(SenderChecksums(senderAddress: address, point: point))
        last = found.bySender.count - 1
        return last
    }

    func finish() -> ChecksumFindings { found }
}
