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
    var flows = FlowFindings()
    var delivery = DeliveryFindings()
    var checksums = ChecksumFindings()

    /// The capture points, by `CapturePointID`.
    var points: [(capture: CaptureID, interface: CaptureInterface)] = []

    /// The name the verdict gives a capture (its path as given on the command line).
    func path(of capture: CaptureID) -> String { captures[Int(capture.index)].path }

    /// `file@interface` for a point of a capture with several points; nil for a capture seen as one point.
    func name(of point: CapturePointID) -> String? {
        guard point.index >= 0, Int(point.index) < points.count else { return nil }
        let p = points[Int(point.index)]
        guard points.contains(where: { $0.capture == p.capture && $0.interface != p.interface }) else { return nil }
        return "\(path(of: p.capture))@\(p.interface.suffix)"
    }

    /// The names of a capture's points when it has several (in the order first seen), else empty.
    func pointNames(of capture: CaptureID) -> [String] {
        let mine = points.indices.filter { points[$0].capture == capture }
        guard mine.count > 1 else { return [] }
        return mine.compactMap { name(of: CapturePointID(index: Int32($0))) }
    }

    /// The capture a point belongs to.
    func capture(of point: CapturePointID) -> CaptureID? {
        points.indices.contains(Int(point.index)) ? points[Int(point.index)].capture : nil
    }

    /// How many capture points the run has.
    var pointCount: Int { points.count }
}
