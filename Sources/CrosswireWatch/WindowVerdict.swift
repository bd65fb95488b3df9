// The verdict of a window from the verdicts of its slices. Each slice was
// judged by its own VerificationSession; the window keeps, per check, the
// worst status any slice saw (fail > warn > pass > skip), so a failure stays
// visible for one window after the traffic that proved it, and a check passes
// only when some slice had traffic to judge it and none found fault.

import CrosswireVerdict

/// Combines slice verdicts into the verdict of the window they cover.
public enum WindowVerdict {
    /// Evidence frames and observed lines kept per check in the window (as a session bounds its own).
    public static let evidenceLimit = 20

    /// `slices` oldest first; an empty list gives a verdict with no checks.
    public static func merge(_ slices: [Verdict]) -> Verdict {
        guard var window = slices.last else { return Verdict(plan: "", planPath: "") }
        window.checks = window.checks.map { latest in
            let results = slices.compactMap { slice in slice.checks.first { $0.id == latest.id } }
            return mergeCheck(results)
        }
        window.captures = mergeCaptures(slices)
        window.metrics = mergeMetrics(slices.map(\.metrics))
        // Control-plane events and route tables: the newest slice that has any (they describe state, not counts).
        window.events = Array(slices.flatMap(\.events).suffix(200))
        window.bgpRoutes = slices.last { !$0.bgpRoutes.isEmpty }?.bgpRoutes ?? []
        window.ospfRoutes = slices.last { !$0.ospfRoutes.isEmpty }?.ospfRoutes ?? []
        window.ospfAdjacencies = slices.last { !$0.ospfAdjacencies.isEmpty }?.ospfAdjacencies ?? []
        window.ospfLinks = slices.last { !$0.ospfLinks.isEmpty }?.ospfLinks ?? []
        window.bgpSessions = slices.last { !$0.bgpSessions.isEmpty }?.bgpSessions ?? []
        window.elapsedSeconds = nil
        return window
    }

    /// One check over the window: the worst status, the newest summary of that status, its evidence.
    static func mergeCheck(_ results: [CheckResult]) -> CheckResult {
        let worst = results.map(\.status).max() ?? .skip
        var merged = results.last { $0.status == worst } ?? results[results.count - 1]
        var evidence: [Evidence] = []
        var observed: [String] = []
        var omitted = 0
        // Newest first, so the frames kept are the most recent ones.
        for r in results.reversed() where r.status == worst {
            for e in r.evidence where !evidence.contains(e) {
                if evidence.count < evidenceLimit { evidence.append(e) } else { omitted += 1 }
            }
            omitted += r.evidenceOmitted
            for line in r.observed where !observed.contains(line) && observed.count < evidenceLimit { observed.append(line) }
        }
        merged.evidence = evidence.sorted { ($0.capture, $0.frame) < ($1.capture, $1.frame) }
        merged.evidenceOmitted = omitted
        merged.observed = observed
        return merged
    }

    /// Captures by path: counts summed, first and last times widened, the newest drop counters.
    static func mergeCaptures(_ slices: [Verdict]) -> [CaptureSummary] {
        var order: [String] = []
        var byPath: [String: CaptureSummary] = [:]
        for slice in slices {
            for c in slice.captures {
                guard var m = byPath[c.path] else {
                    order.append(c.path)
                    byPath[c.path] = c
                    continue
                }
                m.packets += c.packets
                m.bytes += c.bytes
                m.malformed += c.malformed
                m.firstTime = [m.firstTime, c.firstTime].compactMap { $0 }.min()
                m.lastTime = [m.lastTime, c.lastTime].compactMap { $0 }.max()
                if let d = c.drops { m.drops = d }
                if let i = c.incomplete { m.incomplete = i }
                if let t = c.invalidTimestamps { m.invalidTimestamps = (m.invalidTimestamps ?? 0) + t }
                byPath[c.path] = m
            }
        }
        return order.compactMap { byPath[$0] }
    }

    /// Counts summed; each tunnel kind's ratios recomputed from the summed bytes.
    static func mergeMetrics(_ all: [Metrics]) -> Metrics {
        var m = Metrics()
        var kinds: [String] = []
        var encap: [String: EncapsulationMetric] = [:]
        var pairs: [String: HostPairTraffic] = [:]
        var pairOrder: [String] = []
        for x in all {
            m.packets += x.packets
            m.bytes += x.bytes
            m.malformed += x.malformed
            for (k, v) in x.evictions { m.evictions[k, default: 0] += v }
            for e in x.encapsulation {
                let old = encap[e.kind]
                if old == nil { kinds.append(e.kind) }
                encap[e.kind] = EncapsulationMetric(
                    kind: e.kind, packets: (old?.packets ?? 0) + e.packets, frames: (old?.frames ?? 0) + e.frames,
                    bytes: (old?.bytes ?? 0) + e.bytes, overheadBytes: (old?.overheadBytes ?? 0) + e.overheadBytes)
            }
            for p in x.hostPairs {
                let key = p.from + "\u{0}" + p.to
                if let old = pairs[key] {
                    pairs[key] = HostPairTraffic(from: p.from, to: p.to, packets: old.packets + p.packets, bytes: old.bytes + p.bytes)
                } else {
                    pairOrder.append(key)
                    pairs[key] = p
                }
            }
        }
        m.encapsulation = kinds.compactMap { encap[$0] }
        m.hostPairs = pairOrder.compactMap { pairs[$0] }
        return m
    }
}
