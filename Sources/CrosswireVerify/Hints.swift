// The hints of bgp.* and ospf.*, until those families return typed outcomes
// (the others' causes come with their outcomes, worded in Wording/): the likely
// cause and the fix, in the words of bird/FRR. A check with nothing reliable to
// say gets no hint rather than a guess.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

struct Hints {
    let topology: Topology
    let findings: Findings
    /// The judged checks and route tables (the BGP/OSPF rows name what is missing or extra).
    let judgement: Judgement

    var plan: Plan { topology.plan }

    /// The judgement with a hint on every `fail` and `warn` that has one.
    func annotated() -> Judgement {
        var j = judgement
        for i in j.checks.indices where (j.checks[i].status == .fail || j.checks[i].status == .warn) && j.checks[i].hint == nil {
            j.checks[i].hint = hint(for: j.checks[i])
        }
        return j
    }

    /// The hints of the families that still word their own results (BGP, OSPF); the others'
    /// hints come with their outcomes (Wording/).
    func hint(for r: CheckResult) -> String? {
        switch r.id {
        case .bgpSession: r.status == .warn ? wholeFramesHint ?? bgpSession() : bgpSession()
        case .bgpRoutes: r.status == .warn ? wholeFramesHint ?? bgpRoutes() : bgpRoutes()
        case .ospfAdjacency: ospfAdjacency()
        case .ospfRoutes: ospfRoutes()
        default: nil
        }
    }

    // MARK: Words

    func name(_ node: Int) -> String { topology.nodes[node].name }

    // MARK: bgp.*

    func bgpSession() -> String? {
        let control = findings.control
        let bgp = BGPChecks(topology: topology, findings: findings)
        let asn = { (a: IPAddress) in topology.node(at: a).flatMap { topology.nodes[$0].asn }.map(String.init) ?? "ASN" }
        for (key, a) in control.attempts.sorted(by: { $0.value.first < $1.value.first })
        where a.syns > 0 && a.synAcks == 0 && control.sessions[key] == nil {
            let (x, y) = (bgp.speakerName(key.a), bgp.speakerName(key.b))
            if a.md5 > 0 {
                return "TCP MD5 (RFC 2385) is on and the passwords differ, or only one side sets one: the same `password \"…\";` in bird's `protocol bgp` on \(x) and \(y) (FRR `neighbor \(key.b) password …`)"
            }
            if a.resets > 0 {
                return "one side refuses TCP 179 (RST): its bird/FRR has no neighbour for the other; \(x) needs `neighbor \(key.b) as \(asn(key.b));` and \(y) `neighbor \(key.a) as \(asn(key.a));` (FRR `neighbor … remote-as …`)"
            }
            return "SYNs to 179 between \(x) and \(y) go unanswered: BGP is not listening there or a firewall drops it; `ss -ltn 'sport = :179'` and `iptables -S INPUT` on both, and a `neighbor` for each other in bird/FRR"
        }
        for (key, s) in control.sessions.sorted(by: { $0.value.first < $1.value.first }) {
            for (end, other) in [(key.a, key.b), (key.b, key.a)] where topology.node(at: end) == nil {
                return "\(end) is not a planned node: remove `neighbor \(end)` from bird/FRR on \(bgp.speakerName(other)), or add it to the plan"
            }
            for (speaker, open) in s.opens.sorted(by: { $0.value.ref < $1.value.ref }) {
                let who = bgp.speakerName(speaker)
                if let n = topology.node(at: speaker), let planned = topology.nodes[n].asn, planned != open.asn {
                    return "\(who) speaks AS \(open.asn), planned \(planned): bird `local as \(planned);` on \(who) (FRR `router bgp \(planned)`) and `neighbor \(speaker) as \(planned);` on its peers, or correct the plan's `asn`"
                }
                if let hold = plan.routing.bgp?.holdTime, Int(open.holdTime) != hold {
                    return "\(who) offers hold time \(open.holdTime), planned \(hold): bird `hold time \(hold);` in its `protocol bgp` (FRR `neighbor … timers \(max(hold / 3, 1)) \(hold)`), or correct `routing.bgp.hold_time`"
                }
            }
            for (speaker, n) in s.notifications.sorted(by: { $0.value.ref < $1.value.ref }) {
                let who = bgp.speakerName(speaker)
                let pair = "\(bgp.speakerName(key.a)) and \(bgp.speakerName(key.b))"
                switch (n.code, n.subcode) {
                case (4, _):
                    return "no KEEPALIVE reached \(who) within the hold time: TCP 179 between \(pair) is dropped or stalled (a firewall or conntrack rule, a lossy link, a stopped bird); `iptables -S | grep 179` and `birdc show protocols all` on both"
                case (2, 2):
                    return "\(who) rejects the peer's AS (Bad Peer AS): each side's `neighbor … as N;` must name the other's `local as` (FRR `remote-as`)"
                case (2, 6):
                    return "\(who) rejects the offered hold time: bird `hold time` (FRR `timers`) of at least 3 s on both"
                case (6, _):
                    return "a Cease is an administrative end (`birdc disable`, a restart or a reload on \(who)): if nobody did that, `birdc show protocols all` on \(who) says why"
                default: continue
                }
            }
            if s.opens.isEmpty {
                return "the session \(bgp.speakerName(key.a)) – \(bgp.speakerName(key.b)) was up before the capture began: capture from its start (`birdc restart <protocol>`, FRR `clear bgp \(key.b)`) to see the ASNs and hold time"
            }
        }
        return nil
    }

    /// Capture again with whole frames: cut BGP messages cannot be read.
    var wholeFramesHint: String? {
        let control = findings.control
        guard control.bgpCutSegments > 0 else { return nil }
        return "the capture cut BGP messages at \(control.bgpSnaplen) bytes: capture again with whole frames (`tcpdump -s 0`, the default since tcpdump 4.0)"
    }

    func bgpRoutes() -> String? {
        guard let row = judgement.bgpRoutes.first(where: { $0.state != .present }) else {
            // Not seen: the sessions came up before the capture, so the tables were sent before it.
            return "the sessions were up before the capture, so the speakers' tables were sent before it: ask for them again while capturing (bird `birdc reload out PROTOCOL` on the speaker, FRR `clear bgp * soft out`), or capture from the session's start"
        }
        let owner = topology.nodes.first { $0.name == row.speaker }?.containers
        switch row.state {
        case .missing:
            return "\(row.speaker) does not announce its containers \(row.prefix): bird `protocol direct { interface \"docker0\"; }` and `export where net = \(row.prefix);` in its `protocol bgp` (FRR `network \(row.prefix)`)"
        case .wrongNextHop:
            return "\(row.speaker) announces \(row.prefix) with next hop \(row.nextHop ?? "none"): bird `next hop self;` (FRR `neighbor … next-hop-self`) so the next hop is its own address"
        case .extra where !topology.nodes.contains(where: { $0.containerSubnets.map(\.description).contains(row.prefix) }):
            let own = owner.map { "export where net = \($0);" } ?? "export filter"
            return "\(row.speaker) exports \(row.prefix), which no host owns: filter it (bird `\(own)` in `protocol bgp`, FRR a prefix-list or `no network \(row.prefix)`), or plan that subnet"
        case .extra:
            return "\(row.speaker) announces \(row.prefix) as another host's (\(row.detail ?? "not its own")): its bird `protocol static`/`direct` (FRR `network`) should cover only its own containers"
        case .present, .withdrawn:
            return nil
        }
    }

    // MARK: ospf.*

    func ospfAdjacency() -> String? {
        let control = findings.control
        let ospf = OSPFChecks(topology: topology, findings: findings)
        let planned = plan.routing.ospf
        let routers = control.hellos.keys.sorted()
        func intervals(_ hello: Int, _ dead: Int) -> String {
            "bird `hello \(hello); dead \(dead);` in its OSPF interface block (FRR `ip ospf hello-interval \(hello)`, `ip ospf dead-interval \(dead)`)"
        }
        for rid in routers {
            for h in control.hellos[rid]! {
                if let area = planned?.area, h.area.rawValue != area {
                    return "\(ospf.routerName(rid)) runs area \(h.area): bird `area \(IPv4Address(rawValue: area)) { … }` (FRR `network … area \(IPv4Address(rawValue: area))`)"
                }
                let hello = planned?.helloInterval ?? Int(h.helloInterval), dead = planned?.deadInterval ?? Int(h.deadInterval)
                if hello != Int(h.helloInterval) || dead != Int(h.deadInterval) {
                    return "on \(ospf.routerName(rid)) set \(intervals(hello, dead)), as planned"
                }
            }
        }
        // Two routers of one link that disagree: the check's first disagreement, without a plan to side with.
        let all = routers.flatMap { rid in control.hellos[rid]!.map { (rid, $0) } }
        for (i, (r1, a)) in all.enumerated() {
            for (r2, b) in all[(i + 1)...] where r1 != r2 && a.source.isV4 && a.mask == b.mask {
                if a.area != b.area { return "\(ospf.routerName(r1)) runs area \(a.area), \(ospf.routerName(r2)) area \(b.area): one `area` for the link on both (bird `area … { interface … }`)" }
                if a.helloInterval != b.helloInterval || a.deadInterval != b.deadInterval {
                    return "\(ospf.routerName(r1)) sends hello/dead \(a.helloInterval)/\(a.deadInterval) s, \(ospf.routerName(r2)) \(b.helloInterval)/\(b.deadInterval) s: the same on both, e.g. \(intervals(Int(a.helloInterval), Int(a.deadInterval)))"
                }
            }
        }
        let mtus = control.databaseDescriptions.sorted { $0.key < $1.key }.filter { $0.value.mtu != 0 }
        if let low = mtus.min(by: { $0.value.mtu < $1.value.mtu }), let high = mtus.max(by: { $0.value.mtu < $1.value.mtu }), low.value.mtu != high.value.mtu {
            return "interface MTUs differ (\(ospf.routerName(high.key)) \(high.value.mtu), \(ospf.routerName(low.key)) \(low.value.mtu)): `ip link set dev IFACE mtu \(low.value.mtu)` on \(ospf.routerName(high.key)) (or the other way round), or FRR `ip ospf mtu-ignore`"
        }
        if control.hellos.count < 2 {
            return "Hellos from one router only: OSPF is not enabled on the neighbour's interface (bird `interface \"IFACE\"` in the area, FRR `network … area …`), or IP protocol 89 to 224.0.0.5 is dropped between them (`iptables -I INPUT -p 89 -j ACCEPT`)"
        }
        return "routers hear each other but form no adjacency: they must list each other in their Hellos (authentication, `iptables -I INPUT -p 89 -j ACCEPT` on both), and on a broadcast link one needs priority above 0 (bird `priority 1;`, FRR `ip ospf priority 1`)"
    }

    func ospfRoutes() -> String? {
        guard let row = judgement.ospfRoutes.first(where: { $0.state != .present }) else { return nil }
        let area = plan.routing.ospf?.area.map { IPv4Address(rawValue: $0).description } ?? "0.0.0.0"
        switch row.state {
        case .missing:
            return "\(row.speaker) does not advertise its containers \(row.prefix): bird `interface \"docker0\" { stub yes; };` in `area \(area)` (FRR `network \(row.prefix) area \(area)`)"
        case .extra:
            return "\(row.speaker) advertises \(row.prefix) (\(row.detail ?? "not its own")): remove that interface or `stubnet` from its OSPF area (FRR `no network \(row.prefix) area \(area)`), or correct that host's `bip`"
        default:
            return nil
        }
    }
}
