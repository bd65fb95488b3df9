// nat.source and nat.destination in words.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

extension Sentences {
    /// `3 packets matched across 2 capture points`, or why one point proves nothing.
    func pointsNote(_ p: NATChecks.Points) -> String {
        p.count > 1 ? "\(p.matched) packets matched across \(p.count) capture points" : "one capture point: translations cannot be proven, only suspected"
    }

    /// `3 packets, a.pcap frame 1 and b.pcap frame 2`: how often and where a translation was seen.
    func seen(_ r: NATChecks.Rewrite) -> String { "\(count(r.record.count, "packet")), \(place(r.record.first)) and \(place(r.record.second))" }

    /// The hosts' names, `host1/host2`.
    func hostNames(_ hosts: [Int]) -> String { hosts.map(name).joined(separator: "/") }

    func natNote(_ note: NATChecks.Note) -> String {
        switch note {
        case .sourceRewritten(let r, let ref):
            "source \(r.inside.sourceText) rewritten to \(r.outside.sourceText) between the capture points (same packet as \(place(ref)))"
        case .sourceBefore(let r): "the same packet before translation: source \(r.inside.sourceText)"
        case .destinationRewritten(let r, let ref):
            "destination \(r.outside.destinationText) rewritten to \(r.inside.destinationText) with no publish entry for it (same packet as \(place(ref)))"
        case .destinationBefore(let r): "the same packet before translation: destination \(r.outside.destinationText)"
        case .forwardedByHost(let host, let e, let ttl):
            "\(name(host))'s address \(e.source) as source of \(e.protocolText) to \(e.destinationText), TTL \(ttl) at \(name(host))'s NIC: forwarded and source-translated by \(name(host))"
        case .notSeenLeaving(let host, let e):
            "possible source NAT: \(name(host))'s address \(e.source) opens \(e.protocolText) to \(e.destinationText), not seen leaving \(name(host))'s NIC"
        case .unpublishedPort(let e):
            "container \(e.source) opens a connection to \(e.destinationText), a host address and port no publish entry names"
        }
    }
}

extension NATChecks.Source {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = w.plan.nat == .masquerade
            ? "container sources leave as their own host's address (masquerade), nothing else translated"
            : "container addresses and ports cross hosts unchanged"
        let flow = { (r: NATChecks.Rewrite) in "\(r.inside.sourceText) > \(r.inside.destinationText) (\(r.inside.protocolText)) leaves as \(r.outside.sourceText)" }
        let pointsNote = w.pointsNote(points)
        let observed = lines.map { disposition, r in
            let prefix = switch disposition {
            case .egress: "egress NAT, not judged: "
            case .masqueraded: "masqueraded as planned: "
            default: "source NAT: "
            }
            return prefix + flow(r) + " (\(w.seen(r)))"
        } + [pointsNote]
        let hint = cause.map { self.hint($0, w) }
        switch kind {
        case .notChecked:
            return w.result(self, "NAT is not checked (plan says nat: allowed)", expected: expected)
        case .noCrossHostTraffic:
            return w.result(self, "no cross-host container traffic in the captures", expected: expected)
        case .translated:
            return w.result(
                self, "\(w.count(translated.count, "flow")) source-NATed, e.g. \(flow(translated[0]))", expected: expected, observed: observed,
                evidence: evidence, detail: w.natNote, hint: hint)
        case .masqueradedByHost(let hosts, let ttls):
            let names = w.hostNames(hosts)
            return w.result(
                self,
                "\(w.count(evidence.total, "packet")) left \(names)'s NIC with its own address as source and a forwarded TTL (\(ttls.map(String.init).joined(separator: ", "))): \(names) translated them",
                expected: expected, observed: observed, evidence: evidence, detail: w.natNote, hint: hint)
        case .maybeMasqueraded(let hosts):
            let names = w.hostNames(hosts)
            return w.result(
                self,
                "\(w.count(evidence.total, "packet")) from \(names)'s address to another host's containers: a source NAT that cannot be proven from these capture points; a capture on \(names)'s container bridge decides",
                expected: expected, observed: observed, evidence: evidence, detail: w.natNote, hint: hint)
        case .unchanged:
            var detail = masqueraded > 0 ? "\(masqueraded) packets masqueraded to their host's address as planned; " : ""
            if egress > 0 { detail += "\(egress) packets of egress NAT to destinations outside the plan, not judged; " }
            return w.result(self, "\(detail)container sources unchanged (\(pointsNote))", expected: expected, observed: observed)
        }
    }

    func hint(_ cause: Cause, _ w: Sentences) -> String {
        switch cause {
        case .masqueradeAfter(let host, let subnet):
            return "\(w.name(host)) forwards its containers' packets with its own address as source (Docker's MASQUERADE): delete it, `iptables -t nat -D POSTROUTING -s \(subnet) ! -o docker0 -j MASQUERADE` on \(w.name(host)), and keep Docker from re-adding it with `\"ip-masq\": false` in daemon.json (`--ip-masq=false`)"
        case .masquerade(let owner, let inside, let outside, let from, let to):
            // Docker's own rule: POSTROUTING -s <bip subnet> ! -o docker0 -j MASQUERADE.
            return "Docker's MASQUERADE on \(w.name(owner)) rewrites \(inside.sourceText) → \(outside.sourceText): delete it, `iptables -t nat -D POSTROUTING -s \(from) ! -o docker0 -j MASQUERADE`, and keep Docker from re-adding it with `\"ip-masq\": false` in daemon.json (`--ip-masq=false`); or exempt the other hosts' containers: `iptables -t nat -I POSTROUTING -s \(from) -d \(to.map(\.description) ?? inside.destination.description) -j RETURN`"
        case .snat(let owner, let inside, let outside, let node):
            let at = node.map { " (\(w.name($0))'s address)" } ?? ""
            return "an SNAT rule rewrites \(inside.sourceText) → \(outside.sourceText)\(at) on the way from \(w.name(owner)): find it with `iptables -t nat -S POSTROUTING` on \(w.name(owner)) and the hosts it crosses (`-j SNAT --to-source \(outside.source)`) and delete it, or plan `nat: masquerade`/`allowed` if it is meant"
        case .undecided(let host, let subnet):
            return "\(w.name(host))'s address talks to another host's containers as its masqueraded containers would: capture \(w.name(host))'s container bridge (docker0) too, to prove or clear it, and look for `-s \(subnet) ! -o docker0 -j MASQUERADE` in `iptables -t nat -S POSTROUTING` on \(w.name(host))"
        }
    }
}

extension NATChecks.Destination {
    func worded(_ w: Sentences) -> CheckResult {
        let plan = w.plan
        let expected = plan.publish.isEmpty
            ? "no destination NAT"
            : "destination NAT only as published: " + plan.publish.map { "\($0.host):\($0.port)/\($0.transportProtocol.rawValue) → \($0.to)" }.joined(separator: ", ")
        let flow = { (r: NATChecks.Rewrite) in "\(r.inside.protocolText) to \(r.outside.destinationText) → \(r.inside.destinationText)" }
        let pointsNote = w.pointsNote(points)
        let observed = lines.map { disposition, r in
            switch disposition {
            case .published: "published: \(r.outside.destinationText) → \(r.inside.destinationText) (\(r.record.count) packets)"
            case .service: "service DNAT, intended: \(r.outside.destinationText) → \(r.inside.destinationText) (\(r.record.count) packets)"
            case .egress: "egress NAT, not judged: " + flow(r)
            default: "destination NAT: \(flow(r)) (\(w.seen(r)))"
            }
        } + [pointsNote]
        switch kind {
        case .notChecked:
            return w.result(self, "NAT is not checked (plan says nat: allowed)", expected: expected)
        case .noTrafficToPlannedAddresses:
            return w.result(self, "no traffic to a container or host address in the captures", expected: expected)
        case .translated:
            return w.result(
                self, "\(w.count(translated.count, "undeclared destination translation")), e.g. \(flow(translated[0]))",
                expected: expected, observed: observed, evidence: evidence, detail: w.natNote, hint: cause.map { hint($0, w) })
        case .unpublishedPorts:
            return w.result(
                self, "\(w.count(evidence.total, "connection")) to an unpublished host port, seen at one point only",
                expected: expected, observed: observed, evidence: evidence, detail: w.natNote, hint: cause.map { hint($0, w) })
        case .unchanged:
            var detail = published > 0 ? "\(published) packets translated by published mappings; " : ""
            if services > 0 { detail += "\(services) packets of service DNAT (services), as planned; " }
            return w.result(self, "\(detail)no undeclared destination NAT (\(pointsNote))", expected: expected, observed: observed)
        }
    }

    func hint(_ cause: Cause, _ w: Sentences) -> String {
        switch cause {
        case .publish(let host, let inside, let outside, let proto):
            let entry = "- { host: \(w.name(host)), port: \(outside.destinationPort), protocol: \(proto.rawValue), to: \(inside.destinationText) }"
            return "\(w.name(host)) publishes \(outside.destinationText) → \(inside.destinationText) (`docker run -p \(outside.destinationPort):\(inside.destinationPort)`, a DNAT in its DOCKER chain): declare it in the plan's `publish` (`\(entry)`), or run the container without that `-p`"
        case .service(let inside, let outside):
            return "a DNAT of \(outside.destinationText) → \(inside.destinationText) (kube-proxy for a ClusterIP?): add its range to the plan's `services`, or find the rule with `iptables -t nat -S | grep \(outside.destination)` and delete it"
        case .dnat(let inside, let outside):
            return "a DNAT rewrites \(outside.destinationText) → \(inside.destinationText): find it with `iptables -t nat -S PREROUTING` (and `OUTPUT`) on the hosts it crosses and delete it, or declare it in the plan's `publish`"
        case .unpublishedPort(let e, let host):
            return "a container connects to \(e.destinationText), a port of \(w.name(host)) no `publish` names: if it is a `docker run -p` publish, declare it in the plan, and capture \(w.name(host))'s container bridge too to see the DNAT"
        }
    }
}
