// The Prometheus metrics of `crosswire watch`, in a swift-prometheus registry.
// Low cardinality: labels are check ids, interface names, tunnel kinds and
// NAT directions (all small, fixed sets), plus the node, so one Prometheus
// can aggregate every host's series (`max by (check) (crosswire_check_status)`).

import CrosswireVerdict
import CrosswireVerify
import Prometheus

/// The metric families and their current series.
public final class WatchMetrics: @unchecked Sendable {
    // @unchecked: only the watch loop thread mutates the series maps; the registry itself is thread-safe.
    public let registry = PrometheusCollectorRegistry()
    public let node: String
    private var status: [String: Gauge] = [:]
    private var statusPlan = ""
    private var lastStatus: [String: CheckStatus] = [:]
    private var ratios: [String: Gauge] = [:]
    private var packetsSeen: [String: Int] = [:]
    private var bytesSeen: [String: Int] = [:]
    private var dropsSeen: [String: Int] = [:]
    private let lastVerdict: Gauge

    public init(node: String) {
        self.node = node
        lastVerdict = registry.makeGauge(
            name: "crosswire_last_verdict_timestamp_seconds", labels: [("node", node)],
            help: "Unix time of the last window verdict.")
        // Both NAT directions exist from the start, so rate() sees the first translation.
        for d in ["source", "destination"] { _ = natCounter(d) }
    }

    /// The contract's status as a number: 0 pass, 1 warn, 2 fail, -1 skip.
    public static func value(_ s: CheckStatus) -> Double {
        switch s {
        case .pass: 0
        case .warn: 1
        case .fail: 2
        case .skip: -1
        }
    }

    /// Records a window verdict made at `time` (Unix seconds): statuses, failures, overhead ratios.
    public func record(_ verdict: Verdict, at time: Double) {
        if verdict.plan != statusPlan {
            // A reloaded plan with another name: its old series would stay frozen, so they go.
            for g in status.values { registry.unregisterGauge(g) }
            status.removeAll()
            statusPlan = verdict.plan
        }
        for c in verdict.checks {
            let id = c.id.rawValue  // the label's text
            let gauge = status[id] ?? registry.makeGauge(
                name: "crosswire_check_status", labels: [("check", id), ("plan", verdict.plan), ("node", node)],
                help: "Status of each check over the window: 0 pass, 1 warn, 2 fail, -1 skip.")
            status[id] = gauge
            gauge.set(Self.value(c.status))
            // A failure counts once when the check enters fail, not at every recomputation.
            let failures = failureCounter(id)
            if c.status == .fail, lastStatus[id] != .fail { failures.increment() }
            lastStatus[id] = c.status
        }
        for e in verdict.metrics.encapsulation {
            let gauge = ratios[e.kind] ?? registry.makeGauge(
                name: "crosswire_encap_overhead_ratio", labels: [("kind", e.kind), ("node", node)],
                help: "Encapsulation overhead bytes as a share of the tunnel's bytes, over the window.")
            ratios[e.kind] = gauge
            gauge.set(e.overheadRatio)
        }
        lastVerdict.set(time)
    }

    /// Adds what a closed slice's session found to the NAT counters.
    public func record(closed slice: ClosedSlice) {
        if slice.nat.source > 0 { natCounter("source").increment(by: Int64(slice.nat.source)) }
        if slice.nat.destination > 0 { natCounter("destination").increment(by: Int64(slice.nat.destination)) }
    }

    /// Cumulative frames and bytes captured on `interface` (the counters advance by the difference).
    public func record(interface: String, packets: Int, bytes: Int) {
        let dp = packets - packetsSeen[interface, default: 0]
        let db = bytes - bytesSeen[interface, default: 0]
        let labels = [("interface", interface), ("node", node)]
        let p = registry.makeCounter(name: "crosswire_packets_total", labels: labels, help: "Frames captured, per interface.")
        let b = registry.makeCounter(name: "crosswire_bytes_total", labels: labels, help: "Bytes on the wire of the frames captured, per interface.")
        if dp > 0 { p.increment(by: Int64(dp)) }
        if db > 0 { b.increment(by: Int64(db)) }
        packetsSeen[interface] = packets
        bytesSeen[interface] = bytes
    }

    /// Cumulative kernel and interface drops of `interface` (pcap_stats).
    public func record(interface: String, drops: Int) {
        let c = registry.makeCounter(
            name: "crosswire_capture_drops_total", labels: [("interface", interface), ("node", node)],
            help: "Frames the kernel or the interface dropped before the capture saw them.")
        let d = drops - dropsSeen[interface, default: 0]
        if d > 0 { c.increment(by: Int64(d)) }
        dropsSeen[interface] = drops
    }

    private func failureCounter(_ check: String) -> Counter {
        registry.makeCounter(
            name: "crosswire_check_failures_total", labels: [("check", check), ("node", node)],
            help: "Times each check entered fail.")
    }

    private func natCounter(_ direction: String) -> Counter {
        registry.makeCounter(
            name: "crosswire_nat_translations_total", labels: [("direction", direction), ("node", node)],
            help: "Distinct address translations matched between capture points, summed over closed slices.")
    }

    /// The Prometheus text exposition format (0.0.4).
    public func prometheusText() -> String { registry.emitToString() }

    /// The OpenMetrics text format (1.0.0): counter families are named without `_total`, and `# EOF` ends it.
    public func openMetricsText() -> String { OpenMetrics.convert(prometheusText()) }
}

/// From the Prometheus text format to OpenMetrics text: the two differ, for what this
/// registry emits, only in counter family names on `# TYPE`/`# HELP` lines and the final `# EOF`.
public enum OpenMetrics {
    public static let contentType = "application/openmetrics-text; version=1.0.0; charset=utf-8"
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func convert(_ text: String) -> String {
        var counters = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ")
            if parts.count == 4, parts[3] == "counter" { counters.insert(String(parts[2])) }
        }
        var out = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var l = String(line)
            if l.hasPrefix("# TYPE ") || l.hasPrefix("# HELP ") {
                let parts = l.split(separator: " ", maxSplits: 3)
                if parts.count >= 3, counters.contains(String(parts[2])), parts[2].hasSuffix("_total") {
                    let family = String(parts[2].dropLast(6))
                    l = "\(parts[0]) \(parts[1]) \(family)" + (parts.count == 4 ? " \(parts[3])" : "")
                }
            }
            out += l + "\n"
        }
        return out + "# EOF\n"
    }

    /// True when an Accept header asks for OpenMetrics.
    public static func wanted(accept: String?) -> Bool {
        accept?.lowercased().contains("application/openmetrics-text") == true
    }
}
