// What the analysers found, as plain values: the only input of the checks
// besides the topology. One field per registered analyser.

import CrosswireVerdict

/// Everything the analysers found over a run, and the captures they read.
public struct Findings {
    /// The captures read, in `CaptureID` order.
    public var captures: [CaptureSummary] = []
    var traffic = TrafficFindings()
    var nat = NATFindings()
    var tunnels = TunnelFindings()
    var icmp = ICMPFindings()
    var blackHoles = BlackHoleFindings()
    var arp = ARPFindings()
    var nextHops = NextHopFindings()
    var control = ControlPlaneFindings()

    /// The name the verdict gives a capture (its path as given on the command line).
    func path(of capture: CaptureID) -> String { captures[Int(capture.index)].path }
}
