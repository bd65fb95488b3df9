// bgp.session and bgp.routes in words, their hints in the words of bird/FRR, and the
// BGP tables of the verdict (sessions over time, announcements).

import CrosswireDecoder
import CrosswireVerdict

extension Sentences {
    /// A BGP speaker's address by the plan's name (any planned address, the `router_id` too).
    func speaker(_ a: IPAddress) -> String { topology.node(atPlanned: a).map(name) ?? a.description }

    func speaker(_ s: BGPChecks.Speaker) -> String {
        switch s {
        case .node(let n): name(n)
        case .address(let a): a.description
        }
    }

    /// `host1 – host2`.
    func session(_ key: ControlPlaneFindings.SessionKey) -> String { "\(speaker(key.a)) – \(speaker(key.b))" }

    func cutReason(_ c: BGPChecks.Cut) -> String {
        "BGP messages cut by snaplen \(c.snaplen): \(c.cut) of \(c.segments) BGP segments with data are shorter in the capture than on the wire"
    }

    func wholeFramesHint(_ c: BGPChecks.Cut) -> String {
        "the capture cut BGP messages at \(c.snaplen) bytes: capture again with whole frames (`tcpdump -s 0`, the default since tcpdump 4.0)"
    }

    /// A session's row of the verdict's BGP session table.
    func row(_ h: BGPChecks.SessionHistory) -> BGPSessionRow {
        typealias Event = BGPSessionRow.SessionEvent
        func event(_ ref: FrameRef, _ time: Timestamp, _ from: IPAddress, _ what: String, _ detail: String) -> Event {
            Event(capture: path(ref.capture), frame: Int(ref.frame), time: time.seconds, from: speaker(from), event: what, detail: detail)
        }
        var events = h.events.map { e in
            switch e.kind {
            case .open(let asn, let hold): event(e.ref, e.time, e.from, "OPEN", "AS \(asn), hold time \(hold)")
            case .established: event(e.ref, e.time, e.from, "established", "first KEEPALIVE or UPDATE after both OPENs")
            case .notification(let code, let subcode):
                event(e.ref, e.time, e.from, "NOTIFICATION", "\(Self.notificationName(code: code, subcode: subcode)) (code \(code)/\(subcode))")
            }
        }
        if let a = h.attempt {
            let how = a.resets == 0 ? "unanswered" : "answered by RST (\(a.resets))"
            events.append(event(a.first, a.firstTime, a.initiator ?? h.key.a, "SYN \(how)", "\(a.syns) SYNs to 179\(a.md5 > 0 ? ", MD5 option set" : "")"))
        }
        let state = switch h.state {
        case .upBeforeCapture: "up before the capture"
        case .openSent: "open sent"
        case .openConfirm: "open confirm"
        case .established: "established"
        case .closed: "closed"
        case .neverUp: "never up"
        }
        return BGPSessionRow(peers: [speaker(h.key.a), speaker(h.key.b)], addresses: [h.key.a.description, h.key.b.description], state: state, events: events)
    }

    /// A row of the verdict's BGP announcements table.
    func row(_ r: BGPChecks.Route) -> RouteRow {
        RouteRow(state: r.state, speaker: speaker(r.speaker), prefix: r.prefix.description, nextHop: r.nextHop?.description, detail: detail(r.reason))
    }

    func detail(_ reason: BGPChecks.RouteReason) -> String? {
        switch reason {
        case .unplanned(let announced): "not a planned container subnet, announced at \(place(announced)), never withdrawn"
        case .leaked(let announced, let withdrawn): "announced at \(place(announced)), withdrawn at \(place(withdrawn))"
        case .originatedElsewhere(let owner, let by): "\(name(owner))'s subnet originated by \(origin(by))"
        case .wrongNextHop(_, let planned): "planned next hop \(planned.map(\.description).joined(separator: " or "))"
        case .own: nil
        case .reflected(let from): "reflected from \(name(from))"
        case .relayed(let from): "relayed from \(name(from))"
        case .neverAnnounced: "never announced"
        case .withdrawn: "withdrawn"
        }
    }

    func origin(_ o: BGPChecks.Origin) -> String {
        switch o {
        case .node(let n): name(n)
        case .routerID(let id): "router id \(id)"
        case .asn(let asn): "AS \(asn)"
        case .unplannedSpeaker: "an unplanned speaker"
        }
    }
}

extension BGPChecks.Session {
    func worded(_ w: Sentences) -> CheckResult {
        let hold = w.plan.routing.bgp?.holdTime
        let asns = w.plan.hosts.compactMap { h in h.asn.map { "\(h.name) AS \($0)" } }.joined(separator: ", ")
        let expected = "sessions between planned peers" + (asns.isEmpty ? "" : " (\(asns))") + (hold.map { ", hold time \($0)" } ?? "")
        guard judged else { return w.result(self, "no BGP traffic in the captures", expected: expected) }
        let observed = seen.map { s in
            switch s {
            case .neverUp(let key, let a): line(.neverUp(key, a), w) + " (first: \(w.place(a.first)))"
            case .open(let speaker, let open):
                "\(w.speaker(speaker)) OPEN: AS \(open.asn), hold time \(open.holdTime), identifier \(open.identifier) (\(w.place(open.ref)))"
            case .notification(let speaker, let n): notification(speaker, n, w) + " (\(w.place(n.ref)))"
            }
        }
        let summary = switch status {
        case .fail: problems.filter(\.isFault).map { line($0, w) }.joined(separator: "; ")
        case .warn: cut.map { w.cutReason($0) + "; sessions not judged" } ?? problems.map { line($0, w) }.joined(separator: "; ")
        default: "\(w.count(sessions.count, "session")) (\(sessions.map(w.session).sorted().joined(separator: ", "))), \(opens) OPENs as planned"
        }
        return w.result(self, summary, expected: expected, observed: observed, evidence: evidence, detail: { note($0, w) }, hint: hint(w))
    }

    func notification(_ speaker: IPAddress, _ n: ControlPlaneFindings.NotificationSeen, _ w: Sentences) -> String {
        "\(w.speaker(speaker)) sent NOTIFICATION \(Sentences.notificationName(code: n.code, subcode: n.subcode)) (code \(n.code)/\(n.subcode))"
    }

    /// A problem as the summary lists it.
    func line(_ p: BGPChecks.SessionProblem, _ w: Sentences) -> String {
        switch p {
        case .neverUp(let key, let a):
            "no session between \(w.speaker(key.a)) and \(w.speaker(key.b)): \(a.syns) SYNs to 179 "
                + (a.resets == 0 ? "unanswered" : "answered by RST (\(a.resets))") + (a.md5 > 0 ? " (MD5 option set)" : "")
        case .unplannedPeer(let end, let key, _): "\(end) is not a planned host or router (session \(w.session(key)))"
        case .wrongAS(let speaker, let open, let planned): "\(w.speaker(speaker)) opens with AS \(open.asn), planned AS \(planned)"
        case .wrongHoldTime(let speaker, let open, let planned): "\(w.speaker(speaker)) offers hold time \(open.holdTime), planned \(planned)"
        case .notification(let speaker, let n, _): notification(speaker, n, w)
        case .upBeforeCapture(let key, _): "session \(w.session(key)) was up before the capture began: ASNs and hold time not seen"
        }
    }

    /// What a cited frame shows.
    func note(_ n: BGPChecks.SessionNote, _ w: Sentences) -> String {
        switch n {
        case .problem(let p): note(p, w)
        case .capture(let c): w.note(c)
        }
    }

    func note(_ p: BGPChecks.SessionProblem, _ w: Sentences) -> String {
        switch p {
        case .neverUp: "SYN to port 179 of a connection that never came up"
        case .unplannedPeer(let end, _, _): "BGP session with \(end), which the plan does not have"
        case .wrongAS(let speaker, let open, let planned): "OPEN from \(w.speaker(speaker)) with AS \(open.asn); the plan says AS \(planned)"
        case .wrongHoldTime(let speaker, let open, let planned): "OPEN from \(w.speaker(speaker)) with hold time \(open.holdTime); the plan says \(planned)"
        case .notification: p.isFault ? line(p, w) : line(p, w) + ": an administrative end of the session"
        case .upBeforeCapture(let key, _): "BGP messages of session \(w.session(key)) without its OPENs"
        }
    }

    /// Cut messages ask for whole frames; else the first problem with advice.
    func hint(_ w: Sentences) -> String? {
        if status == .warn, let cut { return w.wholeFramesHint(cut) }
        return problems.lazy.compactMap { advice($0, w) }.first
    }

    func advice(_ p: BGPChecks.SessionProblem, _ w: Sentences) -> String? {
        switch p {
        case .neverUp(let key, let a):
            let (x, y) = (w.speaker(key.a), w.speaker(key.b))
            let asn = { (a: IPAddress) in w.topology.node(at: a).flatMap { w.topology.nodes[$0].asn }.map(String.init) ?? "ASN" }
            if a.md5 > 0 {
                return "TCP MD5 (RFC 2385) is on and the passwords differ, or only one side sets one: the same `password \"…\";` in bird's `protocol bgp` on \(x) and \(y) (FRR `neighbor \(key.b) password …`)"
            }
            if a.resets > 0 {
                return "one side refuses TCP 179 (RST): its bird/FRR has no neighbour for the other; \(x) needs `neighbor \(key.b) as \(asn(key.b));` and \(y) `neighbor \(key.a) as \(asn(key.a));` (FRR `neighbor … remote-as …`)"
            }
            return "SYNs to 179 between \(x) and \(y) go unanswered: BGP is not listening there or a firewall drops it; `ss -ltn 'sport = :179'` and `iptables -S INPUT` on both, and a `neighbor` for each other in bird/FRR"
        case .unplannedPeer(let end, let key, _):
            return "\(end) is not a planned node: remove `neighbor \(end)` from bird/FRR on \(w.speaker(end == key.a ? key.b : key.a)), or add it to the plan"
        case .wrongAS(let speaker, let open, let planned):
            let who = w.speaker(speaker)
            return "\(who) speaks AS \(open.asn), planned \(planned): bird `local as \(planned);` on \(who) (FRR `router bgp \(planned)`) and `neighbor \(speaker) as \(planned);` on its peers, or correct the plan's `asn`"
        case .wrongHoldTime(let speaker, let open, let hold):
            return "\(w.speaker(speaker)) offers hold time \(open.holdTime), planned \(hold): bird `hold time \(hold);` in its `protocol bgp` (FRR `neighbor … timers \(max(hold / 3, 1)) \(hold)`), or correct `routing.bgp.hold_time`"
        case .notification(let speaker, let n, let key):
            let who = w.speaker(speaker)
            switch (n.code, n.subcode) {
            case (4, _):
                return "no KEEPALIVE reached \(who) within the hold time: TCP 179 between \(w.speaker(key.a)) and \(w.speaker(key.b)) is dropped or stalled (a firewall or conntrack rule, a lossy link, a stopped bird); `iptables -S | grep 179` and `birdc show protocols all` on both"
            case (2, 2): return "\(who) rejects the peer's AS (Bad Peer AS): each side's `neighbor … as N;` must name the other's `local as` (FRR `remote-as`)"
            case (2, 6): return "\(who) rejects the offered hold time: bird `hold time` (FRR `timers`) of at least 3 s on both"
            case (6, _):
                return "a Cease is an administrative end (`birdc disable`, a restart or a reload on \(who)): if nobody did that, `birdc show protocols all` on \(who) says why"
            default: return nil
            }
        case .upBeforeCapture(let key, _):
            return "the session \(w.session(key)) was up before the capture began: capture from its start (`birdc restart <protocol>`, FRR `clear bgp \(key.b)`) to see the ASNs and hold time"
        }
    }
}

extension BGPChecks.Routes {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "each BGP speaker announces exactly its container subnet, itself as next hop"
        if let cut {
            return w.result(self, w.cutReason(cut) + "; routes not judged", expected: expected, evidence: evidence, detail: { note($0, w) }, hint: w.wholeFramesHint(cut))
        }
        guard updates else { return w.result(self, sawBGP ? "no BGP UPDATE in the captures" : "no BGP traffic in the captures", expected: expected) }
        let table = rows.map(w.row)
        let notSeen = self.notSeen.isEmpty ? nil
            : "not seen (session up before the capture: no OPEN or End-of-RIB from the speaker): " + self.notSeen.map { "\(w.name($0.node)) (\($0.subnet))" }.joined(separator: ", ")
        let observed = table.map { "\($0.state): \($0.speaker) \($0.prefix)\($0.nextHop.map { " nh \($0)" } ?? "")\($0.detail.map { " (\($0))" } ?? "")" }
            + (notSeen.map { [$0] } ?? [])
        let present = table.map { "\($0.speaker) \($0.prefix)" }.joined(separator: ", ")
        let summary = switch status {
        case .fail:
            zip(rows, table).filter { $0.0.state != .present }.map { r, t in
                guard case .leaked = r.reason else { return "\(t.state) \(t.prefix) from \(t.speaker)" }
                return "\(t.state) \(t.prefix) from \(t.speaker) (\(t.detail!))"
            }.joined(separator: ", ") + (notSeen.map { "; " + $0 } ?? "")
        case .warn: notSeen! + (present.isEmpty ? "" : "; announced: " + present)
        default: "\(rows.count) announcements as planned: \(present)"
        }
        return w.result(self, summary, expected: expected, observed: observed, evidence: evidence, detail: { note($0, w) }, hint: hint(w))
    }

    func note(_ n: BGPChecks.RouteNote, _ w: Sentences) -> String {
        switch n {
        case .announces(let r):
            let (who, prefix) = (w.speaker(r.speaker), r.prefix)
            return switch r.reason {
            case .originatedElsewhere(let owner, let by): "\(who) announces \(w.name(owner))'s subnet \(prefix) as originated by \(w.origin(by))"
            case .wrongNextHop(let owner, let planned):
                "\(who) announces \(w.name(owner))'s subnet \(prefix) with next hop \(r.nextHop?.description ?? "none"), not \(planned.map(\.description).joined(separator: " or "))"
            default: "\(who) announces \(prefix), which is not a planned container subnet"
            }
        case .withdraws(let r):
            return r.state == .missing ? "\(w.speaker(r.speaker)) withdraws its own subnet \(r.prefix)" : "\(w.speaker(r.speaker)) withdraws \(r.prefix)"
        case .capture(let c):
            return w.note(c)
        }
    }

    /// The first wrong row; with none, the tables were sent before the capture.
    func hint(_ w: Sentences) -> String {
        guard let r = rows.first(where: { $0.state != .present }) else {
            return "the sessions were up before the capture, so the speakers' tables were sent before it: ask for them again while capturing (bird `birdc reload out PROTOCOL` on the speaker, FRR `clear bgp * soft out`), or capture from the session's start"
        }
        let (who, prefix) = (w.speaker(r.speaker), r.prefix)
        switch r.reason {
        case .neverAnnounced, .withdrawn:
            return "\(who) does not announce its containers \(prefix): bird `protocol direct { interface \"docker0\"; }` and `export where net = \(prefix);` in its `protocol bgp` (FRR `network \(prefix)`)"
        case .wrongNextHop:
            return "\(who) announces \(prefix) with next hop \(r.nextHop?.description ?? "none"): bird `next hop self;` (FRR `neighbor … next-hop-self`) so the next hop is its own address"
        case .unplanned, .leaked:
            let containers = if case .node(let n) = r.speaker { w.topology.nodes[n].containers } else { IPPrefix?.none }
            let own = containers.map { "export where net = \($0);" } ?? "export filter"
            return "\(who) exports \(prefix), which no host owns: filter it (bird `\(own)` in `protocol bgp`, FRR a prefix-list or `no network \(prefix)`), or plan that subnet"
        case .originatedElsewhere, .own, .reflected, .relayed:
            return "\(who) announces \(prefix) as another host's (\(w.detail(r.reason) ?? "not its own")): its bird `protocol static`/`direct` (FRR `network`) should cover only its own containers"
        }
    }
}
