// path.delivery in words.

import CrosswireVerdict

extension PathChecks.Delivery {
    func worded(_ w: Sentences) -> CheckResult {
        let expected = "every packet between hosts seen at one capture point of a wire is seen at the other (lost share at most \(NumberFormat.percent(maxLoss)))"
        guard !rows.isEmpty else {
            return w.result(
                self, "no packet between hosts seen at two capture points of one wire (a capture at each end is needed)", expected: expected)
        }
        var observed = rows.map { sentence($0, w) }
        for r in rows where r.unseenUpstream > 0 {
            observed.append(
                "\(w.count(r.unseenUpstream, "packet")) seen at \(w.shortName(r.downstream)) but not at \(w.shortName(r.upstream)): that capture missed them")
        }
        guard let first = failing.first else {
            let sent = rows.reduce(0) { $0 + $1.sent }, lost = rows.reduce(0) { $0 + $1.lost }
            let summary = lost == 0
                ? "\(w.count(sent, "packet")) between hosts seen at both ends of \(w.count(rows.count, "wire direction")), none lost"
                : "\(lost) of \(w.count(sent, "packet")) between hosts lost, within transport.max_loss \(NumberFormat.percent(maxLoss))"
            return w.result(self, summary, expected: expected, observed: observed)
        }
        return w.result(
            self, sentence(first, w), expected: expected, observed: observed, evidence: evidence,
            detail: { "\(w.name($0.from)) → \(w.name($0.to)): never seen at \(w.shortName($0.downstream))" }, hint: hint(first, w))
    }

    /// "host1 → host2: 37 of 740 packets seen at host1-eth0.pcap never reached host2-eth0.pcap (5.00%); first lost: …"
    func sentence(_ r: DeliveryRow, _ w: Sentences) -> String {
        let share = NumberFormat.percent(Double(r.lost) / Double(max(r.sent, 1)))
        let first = r.firstLost.first.map { "; first lost: \(w.place($0))" } ?? ""
        // Of several kinds of traffic, the ones that lost packets: "5 of 5 VXLAN (UDP 8472)".
        let lossy = r.kinds.count > 1 ? r.kinds.filter { $0.lost > 0 } : []
        let kinds = lossy.isEmpty ? "" : ", " + lossy.map { "\($0.lost) of \($0.sent) \(kindText($0.kind))" }.joined(separator: ", ")
        return "\(w.name(r.from)) → \(w.name(r.to)): \(r.lost) of \(w.count(r.sent, "packet")) seen at \(w.shortName(r.upstream)) never reached \(w.shortName(r.downstream)) (\(share)\(kinds))\(first)"
    }

    /// `VXLAN (UDP 8472)`, `ICMP`, `TCP port 179`.
    func kindText(_ k: DeliveryKind) -> String {
        switch (k.protocolNumber, k.port) {
        case (17, 4789), (17, 8472): "VXLAN (UDP \(k.port))"
        case (17, 6081): "GENEVE (UDP 6081)"
        case (17, _): "UDP port \(k.port)"
        case (6, _): "TCP port \(k.port)"
        case (1, _), (58, _): "ICMP"
        case (4, _), (41, _): "IP-in-IP"
        case (47, _): "GRE"
        default: "IP protocol \(k.protocolNumber)"
        }
    }

    func hint(_ r: DeliveryRow, _ w: Sentences) -> String {
        let between = "between \(w.shortName(r.upstream)) and \(w.shortName(r.downstream))"
        if r.lost == r.sent {
            return "everything \(w.name(r.from)) sent to \(w.name(r.to)) was dropped \(between): a firewall or security group on the way (a cloud or hypervisor filter dropping UDP 8472/4789, `nft list ruleset`), or a link down"
        }
        return "\(w.name(r.from)) → \(w.name(r.to)) loses packets \(between): the link or a queue on the way (`ip -s link` and `tc -s qdisc` on each hop, `ethtool -S` for rx drops), or raise transport.max_loss if this loss is accepted"
    }
}
