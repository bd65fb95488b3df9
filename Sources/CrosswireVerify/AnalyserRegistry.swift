// The registry: every analyser of a verification, in the order each sees a frame.
// A new analyser is one line here (and its findings' field in Findings.swift).

enum AnalyserRegistry {
    /// The analysers, each with where its findings go and the thread it runs on
    /// with two threads. The calling thread takes the control plane (BGP reassembly
    /// and OSPF, heavy when routing traffic is) with three light data-plane analysers;
    /// the helper takes NAT, tunnels, black holes and next hops, which cost most on
    /// plain data traffic.
    static func analysers(for topology: Topology) -> [AnalyserSlot] {
        [
            RegisteredAnalyser(TrafficAnalyser(topology: topology), findings: \.traffic, thread: .first),
            RegisteredAnalyser(NATCorrelator(topology: topology), findings: \.nat, thread: .second),
            RegisteredAnalyser(TunnelAnalyser(topology: topology), findings: \.tunnels, thread: .second),
            RegisteredAnalyser(ICMPAnalyser(topology: topology), findings: \.icmp, thread: .first),
            RegisteredAnalyser(BlackHoleDetector(topology: topology), findings: \.blackHoles, thread: .second),
            RegisteredAnalyser(ARPAnalyser(topology: topology), findings: \.arp, thread: .first),
            RegisteredAnalyser(NextHopAnalyser(topology: topology), findings: \.nextHops, thread: .second),
            RegisteredAnalyser(ControlPlaneAnalyser(topology: topology), findings: \.control, thread: .first),
        ]
    }
}
