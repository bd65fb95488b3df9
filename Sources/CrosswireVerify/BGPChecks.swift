// bgp.session and bgp.routes, and the BGP tables: sessions over time, announcements.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct BGPChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let routes = bgpRoutes()
        return Judgement(outcomes: [bgpSession(), routes], bgpRoutes: routes.rows, bgpSessions: sessionHistories())
    }

    var control: ControlPlaneFindings { findings.control }

    /// The node a session end or speaker is: any of its planned addresses (RFC 4271 peers
    /// between any addresses; loopbacks are the `router_id`).
    func speaker(_ a: IPAddress) -> Int? { topology.node(atPlanned: a) }

    /// A speaker as the tables name it: a planned node, or an address the plan does not have.
    enum Speaker { case node(Int), address(IPAddress) }

    func named(_ a: IPAddress) -> Speaker { speaker(a).map(Speaker.node) ?? .address(a) }

    /// The plan's name for a speaker, for the tables' reading order.
    func name(_ s: Speaker) -> String {
        switch s {
        case .node(let n): topology.nodes[n].name
        case .address(let a): a.description
        }
    }

    /// BGP segments cut by the snapshot length: BGP cannot be judged whole.
    struct Cut { var snaplen: Int, cut: Int, segments: Int }

    var cut: Cut? {
        control.bgpCutSegments > 0 ? Cut(snaplen: control.bgpSnaplen, cut: control.bgpCutSegments, segments: control.bgpDataSegments) : nil
    }

    // MARK: The session table

    /// The last state a session reached in the captures (RFC 4271 §8).
    enum SessionState { case upBeforeCapture, openSent, openConfirm, established, closed, neverUp }

    /// One session over time: its state changes, or the first SYN of a connection that never came up.
    struct SessionHistory {
        var key: ControlPlaneFindings.SessionKey
        var state: SessionState
        var events: [ControlPlaneFindings.SessionEvent] = []
        var attempt: ControlPlaneFindings.Attempts?
    }

    /// Each session over time (RFC 4271 §8): OPENs, Established, NOTIFICATIONs with their frames;
    /// connections that never came up with their first SYN.
    func sessionHistories() -> [SessionHistory] {
        var rows: [(FrameRef, SessionHistory)] = []
        for (key, s) in control.sessions {
            var state = s.events.isEmpty ? SessionState.upBeforeCapture : .openSent
            for e in s.events {
                switch e.kind {
                case .open: state = s.opens.count == 2 ? .openConfirm : .openSent
                case .established: state = .established
                case .notification: state = .closed
                }
            }
            rows.append((s.first, SessionHistory(key: key, state: state, events: s.events)))
        }
        for (key, a) in control.attempts where neverUp(key, a) {
            rows.append((a.first, SessionHistory(key: key, state: .neverUp, attempt: a)))
        }
        return rows.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// SYNs to 179 and no answer, no message between the two addresses, and no session between
    /// the two nodes over other addresses (loopbacks, the other family): never came up.
    func neverUp(_ key: ControlPlaneFindings.SessionKey, _ a: ControlPlaneFindings.Attempts) -> Bool {
        guard a.syns > 0 && a.synAcks == 0 && control.sessions[key] == nil else { return false }
        guard let x = speaker(key.a), let y = speaker(key.b) else { return true }
        return !control.sessions.keys.contains { Set([speaker($0.a), speaker($0.b)]) == Set([x, y]) }
    }

    /// Every planned address of a node: its underlay address(es) and its `router_id`.
    func plannedAddresses(_ n: Int) -> [IPAddress] {
        topology.nodes[n].addresses + (topology.nodes[n].routerID.map { [.v4($0)] } ?? [])
    }

    // MARK: bgp.session

    /// What a session shows that is not as planned, in the order the check meets it.
    /// A frame bgp.sessions cites: a session's problem, or a segment the capture cut.
    enum SessionNote {
        case problem(SessionProblem)
        case capture(ControlPlaneNote)
    }

    enum SessionProblem {
        case neverUp(ControlPlaneFindings.SessionKey, ControlPlaneFindings.Attempts)
        case unplannedPeer(IPAddress, session: ControlPlaneFindings.SessionKey, first: FrameRef)
        case wrongAS(speaker: IPAddress, ControlPlaneFindings.OpenSeen, planned: UInt32)
        case wrongHoldTime(speaker: IPAddress, ControlPlaneFindings.OpenSeen, planned: Int)
        /// A Cease (code 6) is an administrative end: a caution, not a fault.
        case notification(speaker: IPAddress, ControlPlaneFindings.NotificationSeen, session: ControlPlaneFindings.SessionKey)
        case upBeforeCapture(ControlPlaneFindings.SessionKey, first: FrameRef)

        var isFault: Bool {
            switch self {
            case .notification(_, let n, _): n.code != 6
            case .upBeforeCapture: false
            default: true
            }
        }
    }

    /// What the session check lists as seen, in its order.
    enum SessionSeen {
        case neverUp(ControlPlaneFindings.SessionKey, ControlPlaneFindings.Attempts)
        case open(speaker: IPAddress, ControlPlaneFindings.OpenSeen)
        case notification(speaker: IPAddress, ControlPlaneFindings.NotificationSeen)
    }

    /// bgp.session: sessions between planned peers with the planned ASNs and hold time.
    struct Session: CheckOutcome {
        var id: CheckID { .bgpSession }
        var status: CheckStatus {
            !judged ? .skip : problems.contains(where: \.isFault) ? .fail : cut != nil || !problems.isEmpty ? .warn : .pass
        }
        /// False when the captures hold no BGP to judge.
        var judged = true
        var cut: Cut?
        var problems: [SessionProblem] = []
        var seen: [SessionSeen] = []
        var sessions: [ControlPlaneFindings.SessionKey] = []
        var opens = 0
        /// The faults' frames on a fail, the cut segments or the cautions' frames on a warn.
        var evidence = EvidenceList<SessionNote>()
    }

    func bgpSession() -> Session {
        var out = Session(cut: cut)
        guard control.bgpFrames > 0 || !control.sessions.isEmpty || !control.attempts.isEmpty else { out.judged = false; return out }
        // Connections that never came up (RFC 4271 §8): SYNs, no SYN-ACK, no BGP message between the pair.
        // Cut segments may hide the answers: no attempt is judged then.
        for (key, a) in control.attempts.sorted(by: { $0.value.first < $1.value.first }) where neverUp(key, a) && out.cut == nil {
            out.problems.append(.neverUp(key, a))
            out.seen.append(.neverUp(key, a))
        }
        if control.bgpFrames == 0 && control.sessions.isEmpty && out.problems.isEmpty && out.cut == nil { out.judged = false; return out }
        let hold = plan.routing.bgp?.holdTime
        for (key, s) in control.sessions.sorted(by: { $0.value.first < $1.value.first }) {
            out.sessions.append(key)
            for end in [key.a, key.b] where speaker(end) == nil { out.problems.append(.unplannedPeer(end, session: key, first: s.first)) }
            for (address, open) in s.opens.sorted(by: { $0.value.ref < $1.value.ref }) {
                out.opens += 1
                out.seen.append(.open(speaker: address, open))
                if let n = speaker(address), let planned = topology.nodes[n].asn, planned != open.asn {
                    out.problems.append(.wrongAS(speaker: address, open, planned: planned))
                }
                if let hold, Int(open.holdTime) != hold { out.problems.append(.wrongHoldTime(speaker: address, open, planned: hold)) }
            }
            for (address, n) in s.notifications.sorted(by: { $0.value.ref < $1.value.ref }) {
                out.seen.append(.notification(speaker: address, n))
                out.problems.append(.notification(speaker: address, n, session: key))
            }
            if s.opens.isEmpty && out.cut == nil { out.problems.append(.upBeforeCapture(key, first: s.first)) }
        }
        let faults = out.problems.contains(where: \.isFault)
        if !faults, out.cut != nil {
            out.evidence.merge(control.cutSegments, SessionNote.capture)
            return out
        }
        for p in out.problems where p.isFault == faults {
            switch p {
            case .neverUp(_, let a): out.evidence.add(a.first, .problem(p))
            case .unplannedPeer(_, _, let first), .upBeforeCapture(_, let first): out.evidence.add(first, .problem(p))
            case .wrongAS(_, let open, _), .wrongHoldTime(_, let open, _): out.evidence.add(open.ref, .problem(p))
            case .notification(_, let n, _): out.evidence.add(n.ref, .problem(p))
            }
        }
        return out
    }

    // MARK: bgp.routes

    /// Who originated a route, when it is not the prefix's owner.
    enum Origin { case node(Int), routerID(IPv4Address), asn(UInt32), unplannedSpeaker }

    /// Why a route row has its state.
    enum RouteReason {
        /// Not a planned container subnet, still announced at the end.
        case unplanned(announced: FrameRef)
        /// Not a planned container subnet, announced and withdrawn within the captures: a leak.
        case leaked(announced: FrameRef, withdrawn: FrameRef)
        case originatedElsewhere(owner: Int, by: Origin)
        case wrongNextHop(owner: Int, planned: [IPAddress])
        case own
        case reflected(from: Int)
        case relayed(from: Int)
        case neverAnnounced
        case withdrawn
    }

    /// One row of the BGP announcements table.
    struct Route {
        var state: RouteState
        var speaker: Speaker
        var prefix: IPPrefix
        var nextHop: IPAddress?
        var reason: RouteReason
    }

    /// What is said of a cited UPDATE: it announces or withdraws a row's prefix.
    enum RouteNote {
        case announces(Route), withdraws(Route)
        case capture(ControlPlaneNote)
    }

    /// bgp.routes: each speaker announces exactly its container subnets, itself as next hop.
    struct Routes: CheckOutcome {
        var id: CheckID { .bgpRoutes }
        var status: CheckStatus {
            cut != nil ? .warn : !updates ? .skip : rows.contains { $0.state != .present } ? .fail : !notSeen.isEmpty ? .warn : .pass
        }
        var cut: Cut?
        var sawBGP: Bool
        /// An UPDATE or End-of-RIB was seen.
        var updates: Bool
        /// In the tables' reading order: missing, extra, wrong next hop, present; then speaker and prefix.
        var rows: [Route] = []
        /// Subnets not announced by speakers whose whole table is not in the captures.
        var notSeen: [(node: Int, subnet: IPPrefix)] = []
        var evidence = EvidenceList<RouteNote>()
    }

    /// The node that originated a route (RFC 4456): its ORIGINATOR_ID; else the last AS of
    /// its AS_PATH (the prefix's owner when several planned hosts share that AS, an iBGP
    /// mesh); else the sender (an empty path: the sender's own route).
    func origin(of state: ControlPlaneFindings.RouteState, prefixOwner: Int?, sender: Int?) -> (node: Int?, origin: Origin) {
        if let id = state.originatorID {
            let n = speaker(.v4(id))
            return (n, n.map(Origin.node) ?? .routerID(id))
        }
        if state.pathLength > 0, let asn = state.originAS {
            let inAS = topology.nodes.indices.filter { topology.nodes[$0].asn == asn }
            if let o = prefixOwner, inAS.contains(o) { return (o, .node(o)) }
            if inAS.count == 1 { return (inAS[0], .node(inAS[0])) }
            return (nil, .asn(asn))
        }
        return (sender, sender.map(Origin.node) ?? .unplannedSpeaker)
    }

    func bgpRoutes() -> Routes {
        var out = Routes(cut: cut, sawBGP: control.bgpFrames > 0, updates: !control.updateSenders.isEmpty)
        var bad = EvidenceList<RouteNote>()
        for (address, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            let sender = speaker(address)
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where state.announced {
                var row = Route(state: .extra, speaker: named(address), prefix: prefix, nextHop: state.nextHop, reason: .own)
                defer { out.rows.append(row) }
                guard let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containerSubnets.contains(prefix) }) else {
                    row.reason = .unplanned(announced: state.firstAnnounced ?? state.ref)
                    bad.add(state.ref, .announces(row))
                    continue
                }
                let (origin, by) = self.origin(of: state, prefixOwner: owner, sender: sender)
                if origin != owner {
                    row.reason = .originatedElsewhere(owner: owner, by: by)
                    bad.add(state.ref, .announces(row))
                    continue
                }
                // The owner's own announcement, or a reflected one (RFC 4456 keeps NEXT_HOP): the
                // next hop is one of the owner's planned addresses.
                let reflected = state.originatorID != nil
                if owner == sender || reflected, !(state.nextHop.map(plannedAddresses(owner).contains) ?? false) {
                    row.state = .wrongNextHop
                    row.reason = .wrongNextHop(owner: owner, planned: plannedAddresses(owner))
                    bad.add(state.ref, .announces(row))
                    continue
                }
                row.state = .present
                row.reason = owner == sender ? .own : reflected ? .reflected(from: owner) : .relayed(from: owner)
            }
        }
        // Unplanned prefixes announced and withdrawn within the capture: a leak, even if gone at the end.
        for (address, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where !state.announced {
                guard let announced = state.firstAnnounced, !topology.nodes.contains(where: { $0.containerSubnets.contains(prefix) }) else { continue }
                let row = Route(state: .extra, speaker: named(address), prefix: prefix, reason: .leaked(announced: announced, withdrawn: state.ref))
                out.rows.append(row)
                bad.add(announced, .announces(row))
                bad.add(state.ref, .withdraws(row))
            }
        }
        // Speakers (either end of a session) whose own subnets are not announced: missing when
        // their whole table is in the captures (their OPEN, or End-of-RIB, RFC 4724), else not seen.
        var ends = Set(control.sessions.keys.flatMap { [$0.a, $0.b] }).union(control.updateSenders)
        ends.formUnion(control.attempts.filter { $0.value.synAcks > 0 }.keys.flatMap { [$0.a, $0.b] })
        for n in Set(ends.compactMap(speaker)).sorted() {
            let addresses = control.routes.keys.filter { speaker($0) == n }
            let whole = control.endOfRIBSenders.contains { speaker($0) == n }
                || control.sessions.values.contains { $0.opens.keys.contains { speaker($0) == n } }
            let node = topology.nodes[n]
            for subnet in node.containerSubnets {
                let states = addresses.compactMap { control.routes[$0]?[subnet] }
                guard !states.contains(where: \.announced) else { continue }
                guard whole else { out.notSeen.append((n, subnet)); continue }
                let withdrawn = states.max { $0.ref < $1.ref }
                let row = Route(
                    state: .missing, speaker: .node(n), prefix: subnet, nextHop: node.addresses.first { $0.isV4 == subnet.network.isV4 } ?? node.address,
                    reason: withdrawn == nil ? .neverAnnounced : .withdrawn)
                out.rows.append(row)
                if let ref = withdrawn?.ref { bad.add(ref, .withdraws(row)) }
            }
        }
        let order: [RouteState: Int] = [.missing: 0, .extra: 1, .wrongNextHop: 2, .present: 3]
        out.rows = out.rows.map { (key: (order[$0.state] ?? 9, name($0.speaker), $0.prefix.description), row: $0) }
            .sorted { $0.key < $1.key }.map(\.row)
        if out.cut != nil { out.evidence.merge(control.cutSegments, RouteNote.capture) } else { out.evidence = bad }
        return out
    }
}
