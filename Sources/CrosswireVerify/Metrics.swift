// The verdict's metrics (contract §4): totals, encapsulation, traffic between
// planned nodes and the bounded tables' evictions, from the findings.

import CrosswireDecoder
import CrosswireVerdict

extension TunnelFindings {
    /// The contract's encapsulation metrics, per kind.
    func encapsulationMetrics() -> [EncapsulationMetric] {
        metrics().map {
            EncapsulationMetric(
                kind: $0.kind.description, packets: $0.totals.packets, frames: $0.totals.frames, bytes: $0.totals.bytes,
                overheadBytes: $0.totals.overheadBytes)
        }
    }
}

extension Findings {
    /// The run's metrics.
    func metrics(_ topology: Topology) -> Metrics {
        var pairs: [HostPairTraffic] = []
        for (key, value) in traffic.pairs.sorted(by: { ($0.key.from, $0.key.to) < ($1.key.from, $1.key.to) }) {
            let from = key.from >= 0 ? topology.nodes[Int(key.from)].name : "outside"
            let to = key.to >= 0 ? topology.nodes[Int(key.to)].name : "outside"
            pairs.append(HostPairTraffic(from: from, to: to, packets: value.packets, bytes: value.bytes))
        }
        var evictions: [String: Int] = [:]
        if nat.fingerprintEvictions > 0 { evictions["packet_fingerprints"] = nat.fingerprintEvictions }
        if nat.droppedTranslations > 0 { evictions["translations"] = nat.droppedTranslations }
        if tunnels.fragmentEvictions > 0 { evictions["fragment_groups"] = tunnels.fragmentEvictions }
        if arp.droppedAddresses > 0 { evictions["arp_addresses"] = arp.droppedAddresses }
        if nextHops.dropped > 0 { evictions["next_hop_groups"] = nextHops.dropped }
        if blackHoles.segmentEvictions > 0 { evictions["tcp_segments"] = blackHoles.segmentEvictions }
        if control.bgpConnectionEvictions > 0 { evictions["bgp_connections"] = control.bgpConnectionEvictions }
        if control.droppedSessionMessages > 0 { evictions["bgp_sessions"] = control.droppedSessionMessages }
        if control.droppedRoutes > 0 { evictions["bgp_prefixes"] = control.droppedRoutes }
        if control.droppedOSPFRouters > 0 { evictions["ospf_routers"] = control.droppedOSPFRouters }
        return Metrics(
            packets: traffic.packets, bytes: traffic.bytes, encapsulation: tunnels.encapsulationMetrics(), hostPairs: pairs,
            malformed: traffic.malformed, evictions: evictions)
    }
}
