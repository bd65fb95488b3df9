// The wording layer: every sentence of a CheckResult (summary, expected,
// observed, evidence detail, hint) is written in this folder, one file per
// check family, from the families' typed outcomes. Numbers go through
// `NumberFormat`; the checks themselves write no sentence.

import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// What the wording may look up: the plan and its nodes' names, and the names of
/// the captures and capture points. Never the findings' contents.
struct Sentences {
    let topology: Topology
    /// Only for the names of captures and capture points.
    private let findings: Findings

    init(topology: Topology, findings: Findings) {
        self.topology = topology
        self.findings = findings
    }

    var plan: Plan { topology.plan }

    /// A node's name in the plan.
    func name(_ node: Int) -> String { topology.nodes[node].name }

    /// `1 packet`, `3 packets`: the verdict's sentences write counts plain.
    func count(_ n: Int, _ noun: String) -> String { NumberFormat.count(n, noun, grouped: false) }

    /// A capture's path as the verdict lists it.
    func path(_ capture: CaptureID) -> String { findings.path(of: capture) }

    /// "in capture X frame N" for a frame reference.
    func place(_ ref: FrameRef) -> String { "\(shortName(ref.point, capture: ref.capture)) frame \(ref.frame)" }

    /// A capture point as sentences name it: its file name, with `@interface` when the file holds several.
    func shortName(_ point: CapturePointID, capture: CaptureID? = nil) -> String {
        let path = findings.name(of: point) ?? (capture ?? findings.capture(of: point)).map(findings.path(of:)) ?? "?"
        return path.split(separator: "/").last.map(String.init) ?? path
    }

    /// The container subnet holding `address`, as the owner's plan entry writes it.
    func subnet(of address: IPAddress) -> IPPrefix? {
        topology.owner(of: address).flatMap { o in topology.nodes[o].containerSubnets.first { $0.contains(address) } }
    }

    /// `192.168.20.0/24 (host2's containers)`, or the address when no host owns it.
    func subnetText(_ address: IPAddress) -> String {
        guard let s = subnet(of: address), let o = topology.owner(of: address) else { return address.description }
        return "\(s) (\(name(o))'s containers)"
    }

    var noContainerTraffic: String { "no container traffic in the captures" }

    /// The contract's result of an outcome that cites no frame; the hint only on a `fail` or `warn`.
    func result(_ outcome: some CheckOutcome, _ summary: String, expected: String? = nil, observed: [String] = [], hint: String? = nil)
        -> CheckResult
    {
        result(outcome, summary, expected: expected, observed: observed, evidence: EvidenceList<Never>(), detail: Self.noNote, hint: hint)
    }

    static func noNote(_ never: Never) -> String {}

    /// The contract's result of an outcome: its cited frames with their notes worded by `detail`;
    /// the hint only on a `fail` or `warn`.
    func result<Note>(
        _ outcome: some CheckOutcome, _ summary: String, expected: String? = nil, observed: [String] = [],
        evidence cited: EvidenceList<Note>, detail: (Note) -> String, hint: String? = nil
    ) -> CheckResult {
        result(outcome.id, outcome.status, summary, expected: expected, observed: observed, evidence: cited, detail: detail, hint: hint)
    }

    /// The contract's result of a check's id and status.
    func result<Note>(
        _ id: CheckID, _ status: CheckStatus, _ summary: String, expected: String?, observed: [String],
        evidence cited: EvidenceList<Note>, detail: (Note) -> String, hint: String?
    ) -> CheckResult {
        let evidence = zip(cited.frames, cited.notes).map { ref, note in
            Evidence(
                capture: findings.path(of: ref.capture), frame: Int(ref.frame), detail: detail(note),
                captureIndex: Int(ref.capture.index), point: findings.name(of: ref.point))
        }
        return CheckResult(
            id: id, status: status, summary: summary, expected: expected, observed: observed, evidence: evidence,
            evidenceOmitted: cited.omitted, hint: status == .fail || status == .warn ? hint : nil)
    }
}
