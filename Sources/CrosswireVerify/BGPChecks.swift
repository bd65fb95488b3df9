// bgp.session and bgp.routes.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct BGPChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let routes = bgpRouteAnalysis()
        return Judgement(checks: [bgpSession(), bgpRoutes(routes)], bgpRoutes: routes.rows, bgpSessions: sessionRows())
    }

    /// Each session over time (RFC 4271 §8): OPENs, Established, NOTIFICATIONs with their frames;
    /// connections that never came up with their first SYN.
    func sessionRows() -> [BGPSessionRow] {
        typealias Event = BGPSessionRow.SessionEvent
        func event(_ ref: FrameRef, _ time: Timestamp, _ from: IPAddress, _ what: String, _ detail: String) -> Event {
            Event(capture: findings.path(of: ref.capture), frame: Int(ref.frame), time: time.seconds, from: speakerName(from), event: what, detail: detail)
        }
        var rows: [(FrameRef, BGPSessionRow)] = []
        for (key, s) in control.sessions {
            var state = s.events.isEmpty ? "up before the capture" : "open sent"
            let events = s.events.map { e -> Event in
                switch e.kind {
                case .open(let asn, let hold):
                    state = s.opens.count == 2 ? "open confirm" : "open sent"
                    return event(e.ref, e.time, e.from, "OPEN", "AS \(asn), hold time \(hold)")
                case .established:
                    state = "established"
                    return event(e.ref, e.time, e.from, "established", "first KEEPALIVE or UPDATE after both OPENs")
                case .notification(let code, let subcode, let name):
                    state = "closed"
                    return event(e.ref, e.time, e.from, "NOTIFICATION", "\(name) (code \(code)/\(subcode))")
                }
            }
            rows.append((s.first, BGPSessionRow(
                peers: [speakerName(key.a), speakerName(key.b)], addresses: [key.a.description, key.b.description], state: state, events: events)))
        }
        for (key, a) in control.attempts where neverUp(key, a) {
            let how = a.resets == 0 ? "unanswered" : "answered by RST (\(a.resets))"
            let first = event(a.first, a.firstTime, a.initiator ?? key.a, "SYN \(how)", "\(a.syns) SYNs to 179\(a.md5 > 0 ? ", MD5 option set" : "")")
            rows.append((a.first, BGPSessionRow(
                peers: [speakerName(key.a), speakerName(key.b)], addresses: [key.a.description, key.b.description], state: "never up", events: [first])))
        }
        return rows.sorted { $0.0 < $1.0 }.map(\.1)
    }

    var control: ControlPlaneFindings { findings.control }


    /// The node a session end or speaker is: any of its planned addresses (RFC 4271 peers
    /// between any addresses; loopbacks are the `router_id`).
    func speaker(_ a: IPAddress) -> Int? { topology.node(atPlanned: a) }

    /// The plan's name for a BGP speaker's address.
    func speakerName(_ a: IPAddress) -> String {
        if let n = speaker(a) { return topology.nodes[n].name }
        return a.description
    }

    /// Why BGP cannot be judged whole: segments cut by the snapshot length (nil when none are).
    var cutReason: String? {
        guard control.bgpCutSegments > 0 else { return nil }
        return "BGP messages cut by snaplen \(control.bgpSnaplen): \(control.bgpCutSegments) of \(control.bgpDataSegments) BGP segments with data are shorter in the capture than on the wire"
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

    func bgpSession() -> CheckResult {
        let hold = plan.routing.bgp?.holdTime
        let asns = plan.hosts.compactMap { h in h.asn.map { "\(h.name) AS \($0)" } }.joined(separator: ", ")
        let expected = "sessions between planned peers" + (asns.isEmpty ? "" : " (\(asns))") + (hold.map { ", hold time \($0)" } ?? "")
        guard control.bgpFrames > 0 || !control.sessions.isEmpty || !control.attempts.isEmpty else {
            return result(.bgpSession, .skip, "no BGP traffic in the captures", expected: expected)
        }
        var bad = EvidenceList(), warnings = EvidenceList()
        var observed: [String] = []
        var problems: [String] = [], cautions: [String] = []
        // Connections that never came up (RFC 4271 §8): SYNs, no SYN-ACK, no BGP message between the pair.
        // Cut segments may hide the answers: no attempt is judged then.
        for (key, a) in control.attempts.sorted(by: { $0.value.first < $1.value.first })
        where neverUp(key, a) && cutReason == nil {
            let how = a.resets == 0 ? "unanswered" : "answered by RST (\(a.resets))"
            let line = "no session between \(speakerName(key.a)) and \(speakerName(key.b)): \(a.syns) SYNs to 179 \(how)"
                + (a.md5 > 0 ? " (MD5 option set)" : "")
            problems.append(line)
            observed.append(line + " (first: \(place(a.first)))")
            bad.add(a.first, "SYN to port 179 of a connection that never came up")
        }
        if control.bgpFrames == 0 && control.sessions.isEmpty && problems.isEmpty && cutReason == nil {
            return result(.bgpSession, .skip, "no BGP traffic in the captures", expected: expected)
        }
        var opened = 0
        for (key, s) in control.sessions.sorted(by: { $0.value.first < $1.value.first }) {
            let name = "\(speakerName(key.a)) – \(speakerName(key.b))"
            for end in [key.a, key.b] where speaker(end) == nil {
                problems.append("\(end) is not a planned host or router (session \(name))")
                bad.add(s.first, "BGP session with \(end), which the plan does not have")
            }
            for (speaker, open) in s.opens.sorted(by: { $0.value.ref < $1.value.ref }) {
                opened += 1
                observed.append("\(speakerName(speaker)) OPEN: AS \(open.asn), hold time \(open.holdTime), identifier \(open.identifier) (\(place(open.ref)))")
                if let n = self.speaker(speaker), let planned = topology.nodes[n].asn, planned != open.asn {
                    problems.append("\(speakerName(speaker)) opens with AS \(open.asn), planned AS \(planned)")
                    bad.add(open.ref, "OPEN from \(speakerName(speaker)) with AS \(open.asn); the plan says AS \(planned)")
                }
                if let hold, Int(open.holdTime) != hold {
                    problems.append("\(speakerName(speaker)) offers hold time \(open.holdTime), planned \(hold)")
                    bad.add(open.ref, "OPEN from \(speakerName(speaker)) with hold time \(open.holdTime); the plan says \(hold)")
                }
            }
            for (speaker, n) in s.notifications.sorted(by: { $0.value.ref < $1.value.ref }) {
                let line = "\(speakerName(speaker)) sent NOTIFICATION \(n.name) (code \(n.code)/\(n.subcode))"
                observed.append(line + " (\(place(n.ref)))")
                if n.code == 6 {
                    cautions.append(line)
                    warnings.add(n.ref, line + ": an administrative end of the session")
                } else {
                    problems.append(line)
                    bad.add(n.ref, line)
                }
            }
            if s.opens.isEmpty && cutReason == nil {
                cautions.append("session \(name) was up before the capture began: ASNs and hold time not seen")
                warnings.add(s.first, "BGP messages of session \(name) without its OPENs")
            }
        }
        if !problems.isEmpty {
            return result(.bgpSession, .fail, problems.joined(separator: "; "), expected: expected, observed: observed, evidence: bad)
        }
        if let cutReason {
            return result(.bgpSession, .warn, cutReason + "; sessions not judged", expected: expected, observed: observed, evidence: control.cutSegments)
        }
        if !cautions.isEmpty {
            return result(.bgpSession, .warn, cautions.joined(separator: "; "), expected: expected, observed: observed, evidence: warnings)
        }
        let names = control.sessions.keys.map { "\(speakerName($0.a)) – \(speakerName($0.b))" }.sorted().joined(separator: ", ")
        return result(
            .bgpSession, .pass, "\(control.sessions.count) session\(control.sessions.count == 1 ? "" : "s") (\(names)), \(opened) OPENs as planned",
            expected: expected, observed: observed)
    }

    /// What the BGP announcements show: the route table's rows, the evidence of the wrong ones,
    /// and the subnets not seen from speakers whose whole table is not in the captures.
    struct RouteAnalysis {
        var rows: [RouteRow] = []
        var bad = EvidenceList()
        var notSeen: [String] = []
    }

    /// The node that originated a route (RFC 4456): its ORIGINATOR_ID; else the last AS of
    /// its AS_PATH (the prefix's owner when several planned hosts share that AS, an iBGP
    /// mesh); else the sender (an empty path: the sender's own route). nil and a name when
    /// the origin is not a planned node.
    func origin(of state: ControlPlaneFindings.RouteState, prefixOwner: Int?, sender: Int?) -> (node: Int?, name: String) {
        if let id = state.originatorID {
            let n = speaker(.v4(id))
            return (n, n.map { topology.nodes[$0].name } ?? "router id \(id)")
        }
        if state.pathLength > 0, let asn = state.originAS {
            let inAS = topology.nodes.indices.filter { topology.nodes[$0].asn == asn }
            if let o = prefixOwner, inAS.contains(o) { return (o, topology.nodes[o].name) }
            if inAS.count == 1 { return (inAS[0], topology.nodes[inAS[0]].name) }
            return (nil, "AS \(asn)")
        }
        return (sender, sender.map { topology.nodes[$0].name } ?? "an unplanned speaker")
    }

    func bgpRouteAnalysis() -> RouteAnalysis {
        var a = RouteAnalysis()
        for (address, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            let sender = speaker(address)
            let name = speakerName(address)
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where state.announced {
                let nh = state.nextHop?.description
                guard let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containerSubnets.contains(prefix) }) else {
                    let when = "announced at \(place(state.firstAnnounced ?? state.ref)), never withdrawn"
                    a.rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, nextHop: nh, detail: "not a planned container subnet, \(when)"))
                    a.bad.add(state.ref, "\(name) announces \(prefix), which is not a planned container subnet")
                    continue
                }
                let ownerName = topology.nodes[owner].name
                let (origin, who) = self.origin(of: state, prefixOwner: owner, sender: sender)
                if origin != owner {
                    a.rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, nextHop: nh, detail: "\(ownerName)'s subnet originated by \(who)"))
                    a.bad.add(state.ref, "\(name) announces \(ownerName)'s subnet \(prefix) as originated by \(who)")
                    continue
                }
                // The owner's own announcement, or a reflected one (RFC 4456 keeps NEXT_HOP): the
                // next hop is one of the owner's planned addresses.
                let reflected = state.originatorID != nil
                if owner == sender || reflected, !(state.nextHop.map(plannedAddresses(owner).contains) ?? false) {
                    let planned = plannedAddresses(owner).map(\.description).joined(separator: " or ")
                    a.rows.append(RouteRow(state: .wrongNextHop, speaker: name, prefix: prefix.description, nextHop: nh, detail: "planned next hop \(planned)"))
                    a.bad.add(state.ref, "\(name) announces \(ownerName)'s subnet \(prefix) with next hop \(nh ?? "none"), not \(planned)")
                    continue
                }
                let detail = owner == sender ? nil : reflected ? "reflected from \(ownerName)" : "relayed from \(ownerName)"
                a.rows.append(RouteRow(state: .present, speaker: name, prefix: prefix.description, nextHop: nh, detail: detail))
            }
        }
        // Unplanned prefixes announced and withdrawn within the capture: a leak, even if gone at the end.
        for (address, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            let name = speakerName(address)
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where !state.announced {
                guard let announced = state.firstAnnounced, !topology.nodes.contains(where: { $0.containerSubnets.contains(prefix) }) else { continue }
                let detail = "announced at \(place(announced)), withdrawn at \(place(state.ref))"
                a.rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, detail: detail))
                a.bad.add(announced, "\(name) announces \(prefix), which is not a planned container subnet")
                a.bad.add(state.ref, "\(name) withdraws \(prefix)")
            }
        }
        // Speakers (either end of a session) whose own subnets are not announced: missing when
        // their whole table is in the captures (their OPEN, or End-of-RIB, RFC 4724), else not seen.
        var ends = Set(control.sessions.keys.flatMap { [$0.a, $0.b] }).union(control.updateSenders)
        ends.formUnion(control.attempts.filter { $0.value.synAcks > 0 }.keys.flatMap { [$0.a, $0.b] })
        let nodes = Set(ends.compactMap(speaker)).sorted()
        for n in nodes {
            let addresses = control.routes.keys.filter { speaker($0) == n }
            let whole = control.endOfRIBSenders.contains { speaker($0) == n }
                || control.sessions.values.contains { $0.opens.keys.contains { speaker($0) == n } }
            for subnet in topology.nodes[n].containerSubnets {
                let states = addresses.compactMap { control.routes[$0]?[subnet] }
                guard !states.contains(where: \.announced) else { continue }
                let node = topology.nodes[n]
                if whole {
                    let withdrawn = states.max { $0.ref < $1.ref }
                    a.rows.append(RouteRow(state: .missing, speaker: node.name, prefix: subnet.description, nextHop: (node.addresses.first { $0.isV4 == subnet.network.isV4 } ?? node.address).description, detail: withdrawn == nil ? "never announced" : "withdrawn"))
                    if let ref = withdrawn?.ref { a.bad.add(ref, "\(node.name) withdraws its own subnet \(subnet)") }
                } else {
                    a.notSeen.append("\(node.name) (\(subnet))")
                }
            }
        }
        let order: [RouteState: Int] = [.missing: 0, .extra: 1, .wrongNextHop: 2, .present: 3]
        a.rows.sort { (order[$0.state] ?? 9, $0.speaker, $0.prefix) < (order[$1.state] ?? 9, $1.speaker, $1.prefix) }
        return a
    }

    func bgpRoutes(_ a: RouteAnalysis) -> CheckResult {
        let expected = "each BGP speaker announces exactly its container subnet, itself as next hop"
        if let cutReason {
            return result(.bgpRoutes, .warn, cutReason + "; routes not judged", expected: expected, evidence: control.cutSegments)
        }
        guard !control.updateSenders.isEmpty else {
            return result(.bgpRoutes, .skip, control.bgpFrames > 0 ? "no BGP UPDATE in the captures" : "no BGP traffic in the captures", expected: expected)
        }
        let notSeen = a.notSeen.isEmpty ? nil
            : "not seen (session up before the capture: no OPEN or End-of-RIB from the speaker): " + a.notSeen.joined(separator: ", ")
        let observed = a.rows.map { "\($0.state): \($0.speaker) \($0.prefix)\($0.nextHop.map { " nh \($0)" } ?? "")\($0.detail.map { " (\($0))" } ?? "")" }
            + (notSeen.map { [$0] } ?? [])
        let wrong = a.rows.filter { $0.state != .present }
        if !wrong.isEmpty {
            let text = wrong.map { r in
                "\(r.state) \(r.prefix) from \(r.speaker)" + (r.detail.map { $0.hasPrefix("announced at") ? " (\($0))" : "" } ?? "")
            }.joined(separator: ", ")
            return result(.bgpRoutes, .fail, text + (notSeen.map { "; " + $0 } ?? ""), expected: expected, observed: observed, evidence: a.bad)
        }
        let present = a.rows.map { "\($0.speaker) \($0.prefix)" }.joined(separator: ", ")
        if let notSeen {
            return result(.bgpRoutes, .warn, notSeen + (present.isEmpty ? "" : "; announced: " + present), expected: expected, observed: observed)
        }
        return result(.bgpRoutes, .pass, "\(a.rows.count) announcements as planned: \(present)", expected: expected, observed: observed)
    }
}
