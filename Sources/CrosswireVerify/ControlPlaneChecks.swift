// bgp.session, bgp.routes, ospf.adjacency, ospf.routes.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

extension CheckContext {
    /// The run's metrics.
    func metrics() -> Metrics {
        let traffic = session.traffic
        var pairs: [HostPairTraffic] = []
        for (key, value) in traffic.pairs.sorted(by: { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }) {
            let from = key.from >= 0 ? topology.nodes[Int(key.from)].name : "outside"
            let to = key.to >= 0 ? topology.nodes[Int(key.to)].name : "outside"
            pairs.append(HostPairTraffic(from: from, to: to, packets: value.packets, bytes: value.bytes))
        }
        var evictions: [String: Int] = [:]
        if session.nat.table.evictions > 0 { evictions["packet_fingerprints"] = session.nat.table.evictions }
        if session.nat.droppedTranslations > 0 { evictions["translations"] = session.nat.droppedTranslations }
        if session.tunnels.fragmentEvictions > 0 { evictions["fragment_groups"] = session.tunnels.fragmentEvictions }
        if session.arp.droppedAddresses > 0 { evictions["arp_addresses"] = session.arp.droppedAddresses }
        if session.nextHops.dropped > 0 { evictions["next_hop_groups"] = session.nextHops.dropped }
        if session.blackHoles.segments.evictions > 0 { evictions["tcp_segments"] = session.blackHoles.segments.evictions }
        let control = session.control
        if control.bgpConnectionEvictions > 0 { evictions["bgp_connections"] = control.bgpConnectionEvictions }
        if control.droppedSessionMessages > 0 { evictions["bgp_sessions"] = control.droppedSessionMessages }
        if control.droppedRoutes > 0 { evictions["bgp_prefixes"] = control.droppedRoutes }
        if control.droppedOSPFRouters > 0 { evictions["ospf_routers"] = control.droppedOSPFRouters }
        return Metrics(
            packets: traffic.packets, bytes: traffic.bytes, encapsulation: encapsulationMetrics(), hostPairs: pairs,
            malformed: traffic.malformed, evictions: evictions)
    }
}
