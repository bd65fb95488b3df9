// bgp.session and bgp.routes.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct BGPChecks: CheckFamily {
    let topology: Topology
    let findings: Findings

    func judge() -> Judgement {
        let routes = bgpRouteAnalysis()
        return Judgement(checks: [bgpSession(), bgpRoutes(routes)], bgpRoutes: routes.rows)
    }

    var control: ControlPlaneFindings { findings.control }


    /// The plan's name for a BGP speaker's address.
    func speakerName(_ a: IPAddress) -> String {
        if let n = topology.node(at: a) { return topology.nodes[n].name }
        return a.description
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
        for (key, a) in control.attempts.sorted(by: { $0.value.first < $1.value.first })
        where a.syns > 0 && a.synAcks == 0 && control.sessions[key] == nil {
            let how = a.resets == 0 ? "unanswered" : "answered by RST (\(a.resets))"
            let line = "no session between \(speakerName(key.a)) and \(speakerName(key.b)): \(a.syns) SYNs to 179 \(how)"
                + (a.md5 > 0 ? " (MD5 option set)" : "")
            problems.append(line)
            observed.append(line + " (first: \(place(a.first)))")
            bad.add(a.first, "SYN to port 179 of a connection that never came up")
        }
        if control.bgpFrames == 0 && control.sessions.isEmpty && problems.isEmpty {
            return result(.bgpSession, .skip, "no BGP traffic in the captures", expected: expected)
        }
        var opened = 0
        for (key, s) in control.sessions.sorted(by: { $0.value.first < $1.value.first }) {
            let name = "\(speakerName(key.a)) – \(speakerName(key.b))"
            for end in [key.a, key.b] where topology.node(at: end) == nil {
                problems.append("\(end) is not a planned host or router (session \(name))")
                bad.add(s.first, "BGP session with \(end), which the plan does not have")
            }
            for (speaker, open) in s.opens.sorted(by: { $0.value.ref < $1.value.ref }) {
                opened += 1
                observed.append("\(speakerName(speaker)) OPEN: AS \(open.asn), hold time \(open.holdTime), identifier \(open.identifier) (\(place(open.ref)))")
                if let n = topology.node(at: speaker), let planned = topology.nodes[n].asn, planned != open.asn {
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
            if s.opens.isEmpty {
                cautions.append("session \(name) was up before the capture began: ASNs and hold time not seen")
                warnings.add(s.first, "BGP messages of session \(name) without its OPENs")
            }
        }
        if !problems.isEmpty {
            return result(.bgpSession, .fail, problems.joined(separator: "; "), expected: expected, observed: observed, evidence: bad)
        }
        if !cautions.isEmpty {
            return result(.bgpSession, .warn, cautions.joined(separator: "; "), expected: expected, observed: observed, evidence: warnings)
        }
        let names = control.sessions.keys.map { "\(speakerName($0.a)) – \(speakerName($0.b))" }.sorted().joined(separator: ", ")
        return result(
            .bgpSession, .pass, "\(control.sessions.count) session\(control.sessions.count == 1 ? "" : "s") (\(names)), \(opened) OPENs as planned",
            expected: expected, observed: observed)
    }

    /// The present/missing/extra/wrong-next-hop rows of the BGP announcements.
    func bgpRouteAnalysis() -> (rows: [RouteRow], bad: EvidenceList) {
        var rows: [RouteRow] = []
        var bad = EvidenceList()
        for (speaker, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            let speakerNode = topology.node(at: speaker)
            let name = speakerName(speaker)
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where state.announced {
                // Who originated it: the last AS of the path, or the speaker itself (empty path, iBGP).
                var origin = speakerNode
                if state.pathLength > 0, let asn = state.originAS {
                    let owners = topology.nodes.indices.filter { topology.nodes[$0].asn == asn }
                    if owners.count == 1 { origin = owners[0] }
                }
                let nh = state.nextHop?.description
                guard let owner = topology.nodes.indices.first(where: { topology.nodes[$0].containers == prefix }) else {
                    rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, nextHop: nh, detail: "not a planned container subnet"))
                    bad.add(state.ref, "\(name) announces \(prefix), which is not a planned container subnet")
                    continue
                }
                let ownerName = topology.nodes[owner].name
                if origin != owner {
                    let who = origin.map { topology.nodes[$0].name } ?? "AS \(state.originAS.map(String.init) ?? "?")"
                    rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, nextHop: nh, detail: "\(ownerName)'s subnet originated by \(who)"))
                    bad.add(state.ref, "\(name) announces \(ownerName)'s subnet \(prefix) as originated by \(who)")
                    continue
                }
                if owner == speakerNode, state.nextHop != topology.nodes[owner].address {
                    rows.append(RouteRow(state: .wrongNextHop, speaker: name, prefix: prefix.description, nextHop: nh, detail: "planned next hop \(topology.nodes[owner].address)"))
                    bad.add(state.ref, "\(name) announces its subnet \(prefix) with next hop \(nh ?? "none"), not its own address \(topology.nodes[owner].address)")
                    continue
                }
                rows.append(RouteRow(state: .present, speaker: name, prefix: prefix.description, nextHop: nh, detail: owner == speakerNode ? nil : "relayed from \(ownerName)"))
            }
        }
        // Unplanned prefixes announced and withdrawn within the capture: a leak, even if gone at the end.
        for (speaker, table) in control.routes.sorted(by: { $0.key < $1.key }) {
            let name = speakerName(speaker)
            for (prefix, state) in table.sorted(byFrame: \.value.ref, then: \.key) where !state.announced {
                guard let announced = state.firstAnnounced, !topology.nodes.contains(where: { $0.containers == prefix }) else { continue }
                let detail = "announced at \(place(announced)), withdrawn at \(place(state.ref))"
                rows.append(RouteRow(state: .extra, speaker: name, prefix: prefix.description, detail: detail))
                bad.add(announced, "\(name) announces \(prefix), which is not a planned container subnet")
                bad.add(state.ref, "\(name) withdraws \(prefix)")
            }
        }
        // Hosts that announced something but never (or no longer) their own subnet.
        for sender in control.updateSenders.sorted() {
            guard let n = topology.node(at: sender), let subnet = topology.nodes[n].containers else { continue }
            let state = control.routes[sender]?[subnet]
            if state?.announced != true {
                let withdrawn = state != nil
                rows.append(RouteRow(state: .missing, speaker: topology.nodes[n].name, prefix: subnet.description, nextHop: topology.nodes[n].address.description, detail: withdrawn ? "withdrawn" : "never announced"))
                if let ref = state?.ref { bad.add(ref, "\(topology.nodes[n].name) withdraws its own subnet \(subnet)") }
            }
        }
        let order: [RouteState: Int] = [.missing: 0, .extra: 1, .wrongNextHop: 2, .present: 3]
        rows.sort { (order[$0.state] ?? 9, $0.speaker, $0.prefix) < (order[$1.state] ?? 9, $1.speaker, $1.prefix) }
        return (rows, bad)
    }

    func bgpRoutes(_ analysis: (rows: [RouteRow], bad: EvidenceList)) -> CheckResult {
        let expected = "each BGP speaker announces exactly its container subnet, itself as next hop"
        guard !control.updateSenders.isEmpty else {
            return result(.bgpRoutes, .skip, control.bgpFrames > 0 ? "no BGP UPDATE in the captures" : "no BGP traffic in the captures", expected: expected)
        }
        let (rows, bad) = analysis
        let observed = rows.map { "\($0.state): \($0.speaker) \($0.prefix)\($0.nextHop.map { " nh \($0)" } ?? "")\($0.detail.map { " (\($0))" } ?? "")" }
        let wrong = rows.filter { $0.state != .present }
        if !wrong.isEmpty {
            let text = wrong.map { r in
                "\(r.state) \(r.prefix) from \(r.speaker)" + (r.detail.map { $0.hasPrefix("announced at") ? " (\($0))" : "" } ?? "")
            }.joined(separator: ", ")
            return result(.bgpRoutes, .fail, text, expected: expected, observed: observed, evidence: bad)
        }
        let present = rows.map { "\($0.speaker) \($0.prefix)" }.joined(separator: ", ")
        return result(.bgpRoutes, .pass, "\(rows.count) announcements as planned: \(present)", expected: expected, observed: observed)
    }
}
