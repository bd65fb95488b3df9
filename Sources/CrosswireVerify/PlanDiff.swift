// `crosswire diff`: the intended plan beside the plan the captures show, key by
// key, in a compliance report's words: present (as planned), missing (planned,
// not seen), extra (seen, not planned), different (seen otherwise).

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// The intended plan compared with an inferred one.
public struct PlanDiff: Sendable {
    public enum Status: String, Sendable { case present, missing, extra, different }

    /// One key compared.
    public struct Row: Sendable, Equatable {
        public var key: String
        public var status: Status
        public var intended: String?
        public var observed: String?
        public var evidence: String?
    }

    public var rows: [Row] = []
    public var plan: String
    public var captures: [String]

    /// True when the captures contradict the plan (`different` or `extra`); `missing` is only unseen.
    public var differs: Bool { rows.contains { $0.status == .different || $0.status == .extra } }

    mutating func add(_ key: String, _ status: Status, _ intended: String?, _ observed: String?, _ evidence: String? = nil) {
        rows.append(Row(key: key, status: status, intended: intended, observed: observed, evidence: evidence))
    }

    /// Compares `key` where the captures said something; `missing` where they did not.
    mutating func compare(_ key: String, _ intended: String?, _ observed: String?, _ evidence: String? = nil) {
        switch (intended, observed) {
        case (nil, nil): return
        case (let i?, nil): add(key, .missing, i, nil, evidence ?? "not seen in the captures")
        case (nil, let o?): add(key, .extra, nil, o, evidence)
        case (let i?, let o?): add(key, i == o ? .present : .different, i, o, evidence)
        }
    }

    /// Compares `intended` with what `observed` (inferred from the captures) shows.
    public init(intended: Plan, observed: InferredPlan) {
        plan = intended.name
        captures = observed.captures
        let seen = observed.plan
        let notes = observed.notes

        // Hosts and routers are matched by address; the plan's names are used where they match.
        var names: [String: String] = [:]
        // Optional keys the plan leaves out (mac, gateway, asn, router_id) are not compared.
        for (oi, h) in seen.hosts.enumerated() where !observed.placeholderHost || oi > 0 {
            let match = intended.nodes.first { n in n.addresses.contains { h.addresses.contains($0) } }
                ?? intended.hosts.first { ih in ih.containerSubnets.contains { c in h.containerSubnets.contains { $0.overlaps(c) } } }.map(PlanNode.host)
            guard let match else {
                add("hosts[\(h.name)]", .extra, nil, "\(h.address) with containers \(h.containerSubnets.map(\.description).joined(separator: ", "))", notes["hosts[\(oi)].containers"])
                continue
            }
            names[h.name] = match.name
            let k = "hosts[\(match.name)]"
            guard case .host(let ih) = match else {
                add(k, .different, "router \(match.address)", "host with containers \(h.containerSubnets.map(\.description).joined(separator: ", "))", notes["hosts[\(oi)].containers"])
                continue
            }
            compare("\(k).address", ih.addresses.map(\.description).joined(separator: ", "), h.addresses.map(\.description).joined(separator: ", "))
            compare("\(k).containers", ih.containerSubnets.map(\.description).joined(separator: ", "), h.containerSubnets.map(\.description).joined(separator: ", "), notes["hosts[\(oi)].containers"])
            if let m = h.mac, ih.mac != nil { compare("\(k).mac", ih.mac?.description, m.description, notes["hosts[\(oi)].mac"]) }
            if let g = h.gateway, ih.gateway != nil { compare("\(k).gateway", ih.gateway?.description, g.description, notes["hosts[\(oi)].gateway"]) }
            if let a = h.asn, ih.asn != nil { compare("\(k).asn", ih.asn.map(String.init), String(a), notes["hosts[\(oi)].asn"]) }
            if let r = h.routerID, ih.routerID != nil { compare("\(k).router_id", ih.routerID?.description, r.description, notes["hosts[\(oi)].router_id"]) }
        }
        for (oi, r) in seen.routers.enumerated() {
            if let match = intended.nodes.first(where: { n in n.addresses.contains { r.addresses.contains($0) } }) {
                names[r.name] = match.name
                if case .host(let ih) = match {
                    // A host whose own containers are silent, seen forwarding others' traffic: no contradiction.
                    add("hosts[\(match.name)].address", .present, "\(ih.address)", "\(r.address)", notes["routers[\(oi)]"])
                    add("hosts[\(match.name)].containers", .missing, ih.containerSubnets.map(\.description).joined(separator: ", "), nil,
                        "not seen: it forwards container traffic, but none of its own containers was seen")
                } else {
                    add("routers[\(match.name)]", .present, "\(match.address)", "\(r.address)", notes["routers[\(oi)]"])
                }
            } else {
                add("routers[\(r.name)]", .extra, nil, "\(r.address)", notes["routers[\(oi)]"])
            }
        }
        for n in intended.nodes where !names.values.contains(n.name) {
            let kind = if case .host = n { "hosts" } else { "routers" }
            add("\(kind)[\(n.name)]", .missing, "\(n.address)", nil, "not seen in the captures")
        }

        if let note = notes["transport.mode"], note.hasPrefix("not seen") {
            // Nothing forwarded and no tunnel: the inferred mode is an assumption, not an observation.
            add("transport.mode", .missing, intended.transport.mode.rawValue, nil, note)
        } else {
            compare("transport.mode", intended.transport.mode.rawValue, seen.transport.mode.rawValue, notes["transport.mode"])
        }
        if intended.transport.mode == seen.transport.mode, let it = intended.transport.tunnel, let st = seen.transport.tunnel {
            compare("transport.\(intended.transport.mode.rawValue).vni", String(it.vni), String(st.vni), notes["transport.mode"])
            compare("transport.\(intended.transport.mode.rawValue).port", String(it.port), String(st.port), notes["transport.mode"])
        }
        if let limit = intended.transport.maxOverheadRatio, let measured = observed.measuredOverheadRatio {
            // The plan's ratio is a ceiling: only a higher measured share contradicts it.
            add(
                "transport.max_overhead_ratio", measured > limit ? .different : .present, NumberFormat.decimal(limit),
                "measured \(NumberFormat.decimal((measured * 10_000).rounded() / 10_000))", notes["transport.max_overhead_ratio"])
        }
        if let planned = intended.transport.mtu, let m = seen.transport.mtu {
            // The inferred MTU is a lower bound: only a larger packet contradicts the plan.
            add("transport.mtu", m > planned ? .different : .present, String(planned), String(m), notes["transport.mtu"])
        }
        let wire = seen.underlay.mtu
        add("underlay.mtu", wire > intended.underlay.mtu ? .different : .present, String(intended.underlay.mtu), String(wire), notes["underlay.mtu"])
        if intended.nat != .allowed { compare("nat", intended.nat.rawValue, seen.nat.rawValue, notes["nat"]) }

        func text(_ p: PublishedPort, _ host: String) -> String { "\(host) \(p.transportProtocol.rawValue)/\(p.port) -> \(p.to)" }
        let plannedPublish = Set(intended.publish.map { text($0, $0.host) })
        for (i, p) in seen.publish.enumerated() {
            let t = text(p, names[p.host] ?? p.host)
            add("publish[\(t)]", plannedPublish.contains(t) ? .present : .extra, plannedPublish.contains(t) ? t : nil, t, notes["publish[\(i)]"])
        }
        for t in plannedPublish.sorted() where !seen.publish.contains(where: { text($0, names[$0.host] ?? $0.host) == t }) {
            add("publish[\(t)]", .missing, t, nil, "no destination NAT to it seen")
        }

        // Every next hop seen, against the plan's (explicit or default) route at that node.
        for r in observed.observedRoutes {
            let at = names[r.route.at] ?? r.route.at
            let key = "routes[at \(at) to \(r.route.to)]"
            let planned = intended.effectiveRoutes.filter { $0.at == at && $0.to.contains(r.route.to.network) }.max { $0.to.length < $1.to.length }
            compare(key, planned.map { "via \($0.via)" }, "via \(r.route.via)", r.evidence)
        }

        compare("routing.protocol", intended.routing.routingProtocol.rawValue, seen.routing.routingProtocol.rawValue, notes["routing.protocol"])
        // A value the plan sets against every value seen: the speakers may disagree among themselves.
        func compareSeen(_ key: String, _ planned: String?, _ note: String?) {
            guard let planned, let values = observed.valuesSeen[key], !values.isEmpty else { return }
            add(key, values == [planned] ? .present : .different, planned, values.joined(separator: ", "), note)
        }
        if intended.routing.routingProtocol == seen.routing.routingProtocol {
            compareSeen("routing.bgp.hold_time", intended.routing.bgp?.holdTime.map(String.init), notes["routing.bgp"])
            let o = intended.routing.ospf
            compareSeen("routing.ospf.area", o?.area.map { "\(IPv4Address(rawValue: $0))" }, notes["routing.ospf"])
            compareSeen("routing.ospf.hello_interval", o?.helloInterval.map(String.init), notes["routing.ospf"])
            compareSeen("routing.ospf.dead_interval", o?.deadInterval.map(String.init), notes["routing.ospf"])
        }
        for a in observed.extraAnnouncements {
            let host = names[a.host] ?? a.host
            let planned = intended.hosts.contains { $0.containerSubnets.contains(a.prefix) }
            // As ospf.routes judges: a Router-LSA's own link networks, a default route and a prefix
            // that touches no container subnet are the routers' business, not the plan's.
            if a.kind == .ospfLink || a.kind == .ospfDefault { continue }
            if a.kind == .ospf, !intended.hosts.contains(where: { $0.containerSubnets.contains { $0.overlaps(a.prefix) } }) { continue }
            add("announced[\(host) \(a.prefix)]", planned ? .present : .extra, planned ? "\(a.prefix)" : nil, "\(a.prefix)", a.evidence)
        }
        // What fails even against the plan drafted from these captures fails against any plan.
        for c in observed.failingChecks {
            let cite = c.evidence.first.map { "\($0.capture) frame \($0.frame)" }
            add("checks[\(c.id.rawValue)]", .different, "pass", "fail: \(c.summary)", cite.map { "fails even with the inferred plan; \($0)" } ?? "fails even with the inferred plan")
        }
    }

    /// Counts per status, in report order.
    public var counts: [(Status, Int)] {
        [Status.different, .extra, .missing, .present].map { s in (s, rows.filter { $0.status == s }.count) }
    }

    /// The headline: what differs, or that nothing does.
    public var headline: String {
        let bad = rows.filter { $0.status == .different || $0.status == .extra }
        guard let first = bad.first else { return "the captures match plan \(plan) (\(rows.filter { $0.status == .present }.count) keys present)" }
        return "\(bad.count) difference\(bad.count == 1 ? "" : "s") from plan \(plan), first: \(first.key) \(first.status.rawValue) (\(first.intended ?? "-") vs \(first.observed ?? "-"))"
    }

    /// A Markdown report: the headline, then one table row per key, differences first.
    public func markdown() -> String {
        func cell(_ s: String?) -> String { (s ?? "").replacingOccurrences(of: "|", with: "\\|") }
        var out = "# crosswire diff: \(plan)\n\n\(headline)\n\n"
        out += counts.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: " · ") + "\n\n"
        out += "| status | key | plan | captures | evidence |\n|---|---|---|---|---|\n"
        let order: [Status: Int] = [.different: 0, .extra: 1, .missing: 2, .present: 3]
        for r in rows.enumerated().sorted(by: { (order[$0.element.status]!, $0.offset) < (order[$1.element.status]!, $1.offset) }).map(\.element) {
            out += "| \(r.status.rawValue) | `\(cell(r.key))` | \(cell(r.intended)) | \(cell(r.observed)) | \(cell(r.evidence)) |\n"
        }
        return out
    }

    /// The report as JSON: plan, captures, differs, counts and rows.
    public func json() -> String {
        func q(_ s: String?) -> String {
            guard let s else { return "null" }
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case _ where u.value < 0x20: out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
        var out = "{\n  \"plan\": \(q(plan)),\n  \"captures\": [\(captures.map { q($0) }.joined(separator: ", "))],\n"
        out += "  \"differs\": \(differs),\n  \"headline\": \(q(headline)),\n"
        out += "  \"counts\": {" + counts.map { "\(q($0.0.rawValue)): \($0.1)" }.joined(separator: ", ") + "},\n  \"keys\": [\n"
        out += rows.map { r in
            "    {\"key\": \(q(r.key)), \"status\": \(q(r.status.rawValue)), \"plan\": \(q(r.intended)), \"captures\": \(q(r.observed)), \"evidence\": \(q(r.evidence))}"
        }.joined(separator: ",\n")
        return out + "\n  ]\n}\n"
    }
}
