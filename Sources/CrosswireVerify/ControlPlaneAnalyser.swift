// BGP and OSPF as the checks need them: sessions and their OPENs and
// NOTIFICATIONs, the routes each speaker announces, OSPF hellos, database
// exchange and advertised prefixes. Fed by the decoder's control-plane events.

import CrosswireDecoder
import CrosswireVerdict

/// What a control-plane frame kept as evidence shows.
enum ControlPlaneNote: Sendable {
    /// A BGP segment the snapshot length cut.
    case bgpSegmentCut
}

/// A control-plane message worth a line in the verdict's timeline.
enum TimelineMessage: Sendable {
    case bgpOpen(speaker: IPAddress, asn: UInt32, holdTime: UInt16, identifier: IPv4Address)
    case bgpUpdate(speaker: IPAddress, announced: Bool, prefix: IPPrefix, nextHop: IPAddress?, originAS: UInt32?)
    case bgpNotification(from: IPAddress, to: IPAddress, code: UInt8, subcode: UInt8)
    case ospfHello(router: IPv4Address, area: IPv4Address, helloInterval: UInt16, deadInterval: UInt32, mask: IPv4Address?)
    case ospfDatabaseDescription(router: IPv4Address, mtu: UInt16)
    case ospfAdvertisement(router: IPv4Address, prefix: IPPrefix, lsaType: UInt16)
}

struct TimelineEntry: Sendable {
    var ref: FrameRef
    var time: Timestamp
    var message: TimelineMessage
}

/// BGP sessions and routes, OSPF hellos, database exchange and advertisements, and a timeline.
struct ControlPlaneFindings {
    var bgpFrames = 0
    var ospfFrames = 0

    // BGP
    struct OpenSeen { var asn: UInt32; var holdTime: UInt16; var identifier: IPv4Address; var ref: FrameRef }
    struct NotificationSeen { var code: UInt8; var subcode: UInt8; var ref: FrameRef }
    struct SessionKey: Hashable { var a: IPAddress; var b: IPAddress }
    struct Session {
        var opens: [IPAddress: OpenSeen] = [:]
        var notifications: [IPAddress: NotificationSeen] = [:]
        var messages = 0
        var first: FrameRef
        /// Both OPENs seen and then a KEEPALIVE or UPDATE: Established (RFC 4271 §8.2.2).
        var established = false
        /// The session's state changes in capture order (up to `maxSessionEvents`).
        var events: [SessionEvent] = []
    }
    /// A state change of a BGP session, with the message that made it.
    struct SessionEvent {
        enum Kind { case open(asn: UInt32, holdTime: UInt16), established, notification(code: UInt8, subcode: UInt8) }
        var kind: Kind
        var from: IPAddress
        var ref: FrameRef
        var time: Timestamp
    }
    static let maxSessionEvents = 32
    struct RouteState {
        var announced: Bool
        var nextHop: IPAddress?
        var originAS: UInt32?
        var pathLength: Int
        var ref: FrameRef
        /// The first announcement, kept after a withdrawal: every announcement counts, not only the final table.
        var firstAnnounced: FrameRef?
        /// ORIGINATOR_ID of a reflected route (RFC 4456).
        var originatorID: IPv4Address?
    }
    var sessions: [SessionKey: Session] = [:]
    /// TCP connection attempts to port 179 per pair of addresses (RFC 4271 §8, RFC 2385).
    struct Attempts {
        var syns = 0, synAcks = 0, resets = 0, md5 = 0
        var first: FrameRef
        var firstTime: Timestamp
        /// The sender of the first SYN.
        var initiator: IPAddress?
    }
    var attempts: [SessionKey: Attempts] = [:]
    /// Per speaker (the UPDATE's sender): prefix → what it says now.
    var routes: [IPAddress: [IPPrefix: RouteState]] = [:]
    /// Speakers that sent an UPDATE or End-of-RIB: their announcements were seen.
    var updateSenders: Set<IPAddress> = []
    /// Speakers whose End-of-RIB (RFC 4724) is in the captures: their whole table was sent.
    var endOfRIBSenders: Set<IPAddress> = []
    /// TCP segments of port 179 with data, and those cut by the snapshot length (fewer bytes
    /// captured than the headers declare): BGP is judged only from frames captured whole.
    var bgpDataSegments = 0
    var bgpCutSegments = 0
    /// The longest captured length of a cut frame: the capture's snapshot length.
    var bgpSnaplen = 0
    /// The first cut segments, cited by the checks.
    var cutSegments = EvidenceList<ControlPlaneNote>(limit: 4)
    var streamNotices = 0
    static let maxSessions = 1024
    static let maxPrefixesPerSpeaker = 65_536
    /// Prefixes over all speakers (2,048 speakers of 1,024 sessions could otherwise hold 134 million).
    /// Every one kept becomes a row of the reports' route table (about 330 bytes in each report), so
    /// this also bounds the reports: at the bound, a route flood peaks at about 150 MiB.
    static let maxPrefixes = 65_536
    var routeCount = 0
    var droppedRoutes = 0
    /// BGP messages of sessions beyond `maxSessions`, not recorded.
    var droppedSessionMessages = 0
    /// TCP connections on port 179 evicted from the reassembler (least recently active first).
    var bgpConnectionEvictions = 0

    // OSPF
    struct HelloSeen {
        var area: IPv4Address
        var mask: IPv4Address?
        var helloInterval: UInt16
        var deadInterval: UInt32
        var source: IPAddress
        var refs: [FrameRef]
        var version: UInt8
    }
    /// Per router id: the hellos with distinct parameters it sent.
    var hellos: [IPv4Address: [HelloSeen]] = [:]
    /// Per router id: the neighbours its Hellos list (up to `maxNeighbours`), for 2-Way (RFC 2328 §10.5).
    var helloNeighbours: [IPv4Address: Set<IPv4Address>] = [:]
    static let maxNeighbours = 64
    /// Per router id: the last non-zero DR (and its BDR) its Hellos name.
    var designatedRouters: [IPv4Address: (dr: IPv4Address, bdr: IPv4Address)] = [:]
    var databaseDescriptions: [IPv4Address: (mtu: UInt16, ref: FrameRef)] = [:]
    /// One router's interface as one capture sees it (its packets' source address): OSPF is
    /// judged per link, and links are built from these at check time.
    struct InterfaceKey: Hashable, Comparable {
        var capture: CaptureID
        var router: IPv4Address
        var source: IPAddress
        static func < (a: Self, b: Self) -> Bool { (a.capture.index, a.router, a.source) < (b.capture.index, b.router, b.source) }
    }
    /// A plain value (no collections), changed by get and set without allocating.
    struct Interface {
        /// The first Hello's parameters; nil until a Hello is seen.
        var hello: HelloParameters?
        var firstHello: FrameRef?
        /// The last non-zero DR and its BDR (interface addresses).
        var dr: IPv4Address = .any
        var bdr: IPv4Address = .any
        /// The first DBD's interface MTU, and another MTU if one is seen later.
        var mtu: UInt16?
        var otherMTU: UInt16?
        var dbd: FrameRef?
        /// LS Request, Update and Ack packets: the exchange went on to the database.
        var linkStatePackets = 0
    }
    struct HelloParameters: Equatable {
        var area: IPv4Address
        var mask: IPv4Address?
        var helloInterval: UInt16
        var deadInterval: UInt32
    }
    var interfaces: [InterfaceKey: Interface] = [:]
    /// Per interface: the neighbours its Hellos list (up to `maxNeighbours`).
    var interfaceNeighbours: [InterfaceKey: Set<IPv4Address>] = [:]
    var updates = 0
    var acks = 0
    struct AdvertisementKey: Hashable, Comparable {
        var router: IPv4Address
        var prefix: IPPrefix
        static func < (a: Self, b: Self) -> Bool { (a.router, a.prefix) < (b.router, b.prefix) }
    }
    var advertisements: [AdvertisementKey: (lsaType: UInt16, ref: FrameRef)] = [:]
    /// Routers that originated a Router-LSA.
    var routerLSAOrigins: [IPv4Address: FrameRef] = [:]
    /// Router IDs tracked in each of `hellos`, `databaseDescriptions` and `routerLSAOrigins`.
    static let maxOSPFRouters = 4096
    /// Hellos, DBDs and Router-LSAs of router IDs past `maxOSPFRouters`, not recorded.
    var droppedOSPFRouters = 0
    static let maxAdvertisements = 65_536

    /// The first control-plane messages of each kind, in capture order: the verdict's events.
    var timeline: [TimelineEntry] = []
    static let maxTimeline = 300
}

struct ControlPlaneAnalyser: PacketAnalyser {
    static var findingsPath: WritableKeyPath<Findings, ControlPlaneFindings> { \.control }
    var decoder = ControlPlaneDecoder()
    var currentCapture = CaptureID(0)
    var findings = ControlPlaneFindings()
    /// Connections the reassemblers of earlier captures evicted (each capture gets a new one).
    var earlierConnectionEvictions = 0
    /// Events are collected in a buffer reused from frame to frame (no allocation once it has grown).
    var eventBuffer: [ControlPlaneEvent] = []

    init(topology _: Topology) {}

    /// BGP and OSPF messages, and every TCP segment to or from port 179 (attempts, cut segments).
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame _: FrameContext) -> Bool {
        if p.application != .none { return true }
        guard p.levelCount > 0 else { return true }
        let t = p.levels[p.levelCount - 1].transport
        return t.kind == .tcp && (t.sourcePort == 179 || t.destinationPort == 179)
    }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        if p.levelCount > 0, p.levels[p.levelCount - 1].transport.kind == .tcp, let ip = p.levels[p.levelCount - 1].ip {
            let t = p.levels[p.levelCount - 1].transport
            if (t.sourcePort == 179 || t.destinationPort == 179) && !t.tcpFlags.isDisjoint(with: TCPFlags.syn.union(.rst)) {
                findings.countAttempt(t, source: ip.source, destination: ip.destination, frame: frame)
            }
            if (t.sourcePort == 179 || t.destinationPort == 179) && t.payloadLength > 0 {
                findings.bgpDataSegments += 1
                if t.capturedPayloadLength < t.payloadLength {
                    findings.bgpCutSegments += 1
                    findings.bgpSnaplen = max(findings.bgpSnaplen, p.capturedLength)
                    findings.cutSegments.add(frame.ref, .bgpSegmentCut)
                }
            }
        }
        switch p.application {
        case .bgp: findings.bgpFrames += 1
        case .ospf: findings.ospfFrames += 1
        case .none:
            // Only TCP port 179 (FIN/RST without payload included) and OSPF reach the decoder.
            guard p.levelCount > 0, p.levels[p.levelCount - 1].transport.kind == .tcp else { return }
            let t = p.levels[p.levelCount - 1].transport
            guard t.sourcePort == 179 || t.destinationPort == 179 else { return }
        }
        if frame.capture != currentCapture {
            // A new capture: BGP streams do not continue across files.
            flush()
            earlierConnectionEvictions += decoder.reassembler.statistics.evictions
            decoder = ControlPlaneDecoder()
            currentCapture = frame.capture
        }
        var events = eventBuffer
        eventBuffer = []
        decoder.feed(p, bytes: bytes, frameNumber: Int(frame.ref.frame), timestamp: frame.time.nanoseconds) { events.append($0) }
        for e in events { findings.record(e, capture: currentCapture) }
        events.removeAll(keepingCapacity: true)
        eventBuffer = events
    }

    /// Hands over BGP data still held by the reassembler (after the last frame of a capture).
    mutating func flush() {
        var events: [ControlPlaneEvent] = []
        decoder.finish { events.append($0) }
        for e in events { findings.record(e, capture: currentCapture) }
    }

    /// The findings, with what the reassembler still holds (behind a gap) counted too.
    func finish() -> ControlPlaneFindings {
        var finished = self
        finished.flush()
        finished.findings.bgpConnectionEvictions = earlierConnectionEvictions + finished.decoder.reassembler.statistics.evictions
        return finished.findings
    }
}

extension ControlPlaneFindings {
    /// Counts a SYN, SYN-ACK or RST of a connection on port 179.
    mutating func countAttempt(_ t: TransportFields, source: IPAddress, destination: IPAddress, frame: FrameContext) {
        let key = source < destination ? SessionKey(a: source, b: destination) : SessionKey(a: destination, b: source)
        // Get, change, set a plain value: `attempts[key]!.syns += 1` allocated a frame per call.
        var a: Attempts
        if let seen = attempts[key] {
            a = seen
        } else {
            guard attempts.count < Self.maxSessions else { return }
            a = Attempts(first: frame.ref, firstTime: frame.time)
        }
        if t.tcpFlags.contains(.syn) {
            if t.tcpFlags.contains(.ack) {
                a.synAcks += 1
            } else {
                a.syns += 1
                if a.initiator == nil { a.initiator = source }
                if t.tcpMD5Signature { a.md5 += 1 }
            }
        }
        if t.tcpFlags.contains(.rst) { a.resets += 1 }
        attempts[key] = a
    }

    mutating func record(_ e: ControlPlaneEvent, capture: CaptureID) {
        let ref = FrameRef(capture: capture, frame: e.frame)
        let time = Timestamp(nanoseconds: e.timestamp)
        switch e.kind {
        case .bgp(let event):
            let key = e.source < e.destination ? SessionKey(a: e.source, b: e.destination) : SessionKey(a: e.destination, b: e.source)
            // By index, as the OSPF Hello below: every lookup of a key hashes it again.
            var found = sessions.index(forKey: key)
            if found == nil {
                guard sessions.count < Self.maxSessions else {
                    droppedSessionMessages += 1
                    return
                }
                sessions[key] = Session(first: ref)
                found = sessions.index(forKey: key)
            }
            let s = found!
            sessions.values[s].messages += 1
            switch event {
            case .keepalive, .route, .endOfRIB:
                // RFC 4271 §8.2.2: OpenConfirm becomes Established on the peer's KEEPALIVE.
                if !sessions.values[s].established && sessions.values[s].opens.count == 2 {
                    sessions.values[s].established = true
                    addSessionEvent(s, .init(kind: .established, from: e.source, ref: ref, time: time))
                }
            default: break
            }
            switch event {
            case .open(let o):
                sessions.values[s].opens[e.source] = OpenSeen(asn: o.asn, holdTime: o.holdTime, identifier: o.identifier, ref: ref)
                sessions.values[s].established = false
                addSessionEvent(s, .init(kind: .open(asn: o.asn, holdTime: o.holdTime), from: e.source, ref: ref, time: time))
                note(ref, time, .bgpOpen(speaker: e.source, asn: o.asn, holdTime: o.holdTime, identifier: o.identifier))
            case .route(let r):
                updateSenders.insert(e.source)
                let speaker = routes.index(forKey: e.source)
                let known = speaker.flatMap { routes.values[$0][r.prefix] }
                if known == nil {
                    guard (speaker.map { routes.values[$0].count } ?? 0) < Self.maxPrefixesPerSpeaker, routeCount < Self.maxPrefixes else {
                        droppedRoutes += 1
                        return
                    }
                    routeCount += 1
                }
                let state = RouteState(
                    announced: r.action == .announce, nextHop: r.nextHop, originAS: r.originAS, pathLength: r.pathLength, ref: ref,
                    firstAnnounced: known?.firstAnnounced ?? (r.action == .announce ? ref : nil), originatorID: r.originatorID)
                if let speaker { routes.values[speaker][r.prefix] = state } else { routes[e.source] = [r.prefix: state] }
                note(ref, time, .bgpUpdate(
                    speaker: e.source, announced: r.action == .announce, prefix: r.prefix, nextHop: r.nextHop, originAS: r.originAS))
            case .endOfRIB:
                updateSenders.insert(e.source)
                endOfRIBSenders.insert(e.source)
            case .notification(let n):
                sessions.values[s].notifications[e.source] = NotificationSeen(code: n.code, subcode: n.subcode, ref: ref)
                sessions.values[s].established = false
                addSessionEvent(s, .init(kind: .notification(code: n.code, subcode: n.subcode), from: e.source, ref: ref, time: time))
                note(ref, time, .bgpNotification(from: e.source, to: e.destination, code: n.code, subcode: n.subcode))
            default:
                break
            }
        case .bgpStream:
            streamNotices += 1
        case .ospf(let event):
            switch event {
            case .hello(let h):
                // By index: every lookup of a key hashes it again (SipHash), and a Hello took
                // about fifteen.
                let rid = h.header.routerID
                let seen = hellos.index(forKey: rid)
                guard seen != nil || hellos.count < Self.maxOSPFRouters else {
                    droppedOSPFRouters += 1
                    return
                }
                Self.insert(h.neighbors, into: &helloNeighbours, at: rid)
                if h.designatedRouter != .any {
                    designatedRouters[rid] = (h.designatedRouter, h.backupDesignatedRouter)
                }
                let ik = InterfaceKey(capture: capture, router: rid, source: e.source)
                if withInterface(ik, { i in
                    if i.hello == nil {
                        i.hello = HelloParameters(area: h.header.areaID, mask: h.networkMask, helloInterval: h.helloInterval, deadInterval: h.deadInterval)
                        i.firstHello = ref
                    }
                    if h.designatedRouter != .any { i.dr = h.designatedRouter; i.bdr = h.backupDesignatedRouter }
                }) {
                    Self.insert(h.neighbors, into: &interfaceNeighbours, at: ik)
                }
                let same = seen.flatMap { at in
                    hellos.values[at].firstIndex {
                        $0.area == h.header.areaID && $0.mask == h.networkMask && $0.helloInterval == h.helloInterval
                            && $0.deadInterval == h.deadInterval
                    }
                }
                if let seen, let same {
                    if hellos.values[seen][same].refs.count < 4 { hellos.values[seen][same].refs.append(ref) }
                } else if (seen.map { hellos.values[$0].count } ?? 0) < 8 {
                    let hello = HelloSeen(
                        area: h.header.areaID, mask: h.networkMask, helloInterval: h.helloInterval, deadInterval: h.deadInterval,
                        source: e.source, refs: [ref], version: h.header.version)
                    if let seen { hellos.values[seen].append(hello) } else { hellos[rid] = [hello] }
                    note(ref, time, .ospfHello(
                        router: rid, area: h.header.areaID, helloInterval: h.helloInterval, deadInterval: h.deadInterval, mask: h.networkMask))
                }
            case .databaseDescription(let d):
                guard databaseDescriptions[d.header.routerID] != nil || databaseDescriptions.count < Self.maxOSPFRouters else {
                    droppedOSPFRouters += 1
                    return
                }
                if databaseDescriptions[d.header.routerID] == nil {
                    note(ref, time, .ospfDatabaseDescription(router: d.header.routerID, mtu: d.interfaceMTU))
                }
                databaseDescriptions[d.header.routerID] = (d.interfaceMTU, ref)
                withInterface(InterfaceKey(capture: capture, router: d.header.routerID, source: e.source)) { i in
                    if i.mtu == nil {
                        i.mtu = d.interfaceMTU
                        i.dbd = ref
                    } else if i.mtu != d.interfaceMTU {
                        i.otherMTU = d.interfaceMTU
                    }
                }
            case .linkStateRequest(let header, _), .linkStateAck(let header, _):
                if case .linkStateAck = event { acks += 1 }
                countLinkState(InterfaceKey(capture: capture, router: header.routerID, source: e.source))
            case .advertisement(let a):
                countLinkState(InterfaceKey(capture: capture, router: a.header.routerID, source: e.source))
                if a.lsa.type == 1, routerLSAOrigins[a.lsa.advertisingRouter] == nil {
                    if routerLSAOrigins.count < Self.maxOSPFRouters {
                        routerLSAOrigins[a.lsa.advertisingRouter] = ref
                    } else {
                        droppedOSPFRouters += 1
                    }
                }
                // A type-4 ASBR-summary names a router (mask 0, RFC 2328 §12.4.3.1): no prefix.
                if let prefix = a.prefix, a.lsa.type != 4, advertisements.count < Self.maxAdvertisements {
                    let key = AdvertisementKey(router: a.lsa.advertisingRouter, prefix: prefix)
                    if advertisements[key] == nil {
                        advertisements[key] = (a.lsa.type, ref)
                        note(ref, time, .ospfAdvertisement(router: a.lsa.advertisingRouter, prefix: prefix, lsaType: a.lsa.type))
                    }
                }
            default:
                break
            }
            if case .advertisement = event { updates += 1 }
        }
    }

    /// Changes the interface's value in place, or a new one while there is room; false (and
    /// counted as dropped) past `maxOSPFRouters`.
    @discardableResult
    mutating func withInterface(_ key: InterfaceKey, _ change: (inout Interface) -> Void) -> Bool {
        if let at = interfaces.index(forKey: key) {
            change(&interfaces.values[at])
            return true
        }
        guard interfaces.count < Self.maxOSPFRouters else {
            droppedOSPFRouters += 1
            return false
        }
        var i = Interface()
        change(&i)
        interfaces[key] = i
        return true
    }

    mutating func countLinkState(_ key: InterfaceKey) {
        withInterface(key) { $0.linkStatePackets += 1 }
    }

    /// Adds `neighbours` to the set at `key` (made at its first neighbour) up to `maxNeighbours`.
    static func insert<Key: Hashable>(_ neighbours: OSPFNeighborIDs, into sets: inout [Key: Set<IPv4Address>], at key: Key) {
        guard neighbours.count > 0 else { return }
        var at = sets.index(forKey: key)
        for k in 0..<neighbours.count {
            let n = neighbours[k]
            guard let i = at else {
                sets[key] = [n]
                at = sets.index(forKey: key)
                continue
            }
            if sets.values[i].count < maxNeighbours { sets.values[i].insert(n) }
        }
    }

    mutating func addSessionEvent(_ s: [SessionKey: Session].Index, _ event: SessionEvent) {
        guard sessions.values[s].events.count < Self.maxSessionEvents else { return }
        sessions.values[s].events.append(event)
    }

    mutating func note(_ ref: FrameRef, _ time: Timestamp, _ message: TimelineMessage) {
        guard timeline.count < Self.maxTimeline else { return }
        timeline.append(TimelineEntry(ref: ref, time: time, message: message))
    }
}
