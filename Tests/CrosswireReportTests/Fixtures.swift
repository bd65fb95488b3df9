// Verdicts built in code for the report tests: a failing VXLAN/BGP scenario,
// an all-pass run, a run where every check is skipped, an incomplete capture,
// and a plan whose names try to inject markup.

import CrosswireVerdict

enum Fixtures {
    static let t0 = 1_714_564_800.0  // 2024-05-01T12:00:00Z

    /// Failing: source NAT proven at two points, VXLAN metrics, BGP rows (present, missing, extra) and events.
    static var failing: Verdict {
        let nic1 = "captures/host1-eth0.pcap", br2 = "captures/host2-docker0.pcap"
        var checks: [CheckResult] = CheckID.allCases.map { id in
            CheckResult(id: id, status: .pass, summary: "\(id.rawValue): as planned", expected: "as the plan says")
        }
        func set(_ id: CheckID, _ result: CheckResult) { checks[CheckID.allCases.firstIndex(of: id)!] = result }
        set(.natSource, CheckResult(
            id: .natSource, status: .fail,
            summary: "1 flow source-NATed: 192.168.10.2 -> 192.168.56.119",
            expected: "nat: none, container sources cross hosts unchanged",
            observed: ["192.168.10.2:40312 -> 192.168.20.2:80 left host1 as 192.168.56.119:40312 (3 packets)"],
            evidence: [
                Evidence(capture: nic1, frame: 12, detail: "TCP SYN 192.168.56.119:40312 -> 192.168.20.2:80, ip.id 0x1c46"),
                Evidence(capture: br2, frame: 7, detail: "same packet before NAT: 192.168.10.2:40312 -> 192.168.20.2:80"),
                Evidence(capture: nic1, frame: 14, detail: "TCP ACK, same flow"),
                Evidence(capture: nic1, frame: 19, detail: "TCP PSH/ACK, same flow"),
            ],
            evidenceOmitted: 2))
        set(.encapOverhead, CheckResult(
            id: .encapOverhead, status: .fail, summary: "vxlan overhead 6.20% of tunnel bytes exceeds max_overhead_ratio 5.00%",
            expected: "overhead_ratio <= 0.05", observed: ["vxlan: 50 B/packet, 6.20% of 64.5 KiB"]))
        set(.encapMode, CheckResult(id: .encapMode, status: .pass, summary: "vxlan VNI 1 on UDP 8472, as planned"))
        set(.bgpSession, CheckResult(
            id: .bgpSession, status: .warn, summary: "session host1-host2 ended by Cease (administrative shutdown)",
            evidence: [Evidence(capture: nic1, frame: 88, detail: "NOTIFICATION code 6 subcode 2 from 192.168.56.120")]))
        set(.bgpRoutes, CheckResult(
            id: .bgpRoutes, status: .fail, summary: "1 missing, 1 extra announcement",
            expected: "host1 announces 192.168.10.0/24, host2 announces 192.168.20.0/24",
            observed: ["present: host1 192.168.10.0/24 via 192.168.56.119", "missing: host2 192.168.20.0/24",
                       "extra: host2 10.99.0.0/16"],
            evidence: [Evidence(capture: nic1, frame: 41, detail: "UPDATE from 192.168.56.120: NLRI 10.99.0.0/16")]))
        set(.ospfAdjacency, CheckResult(id: .ospfAdjacency, status: .skip, summary: "no OSPF traffic"))
        set(.ospfRoutes, CheckResult(id: .ospfRoutes, status: .skip, summary: "no LSA seen"))
        set(.arpConflict, CheckResult(id: .arpConflict, status: .skip, summary: "no ARP seen"))

        var first = CaptureSummary(path: nic1, linktype: "EN10MB", packets: 120, bytes: 64_512)
        first.firstTime = t0; first.lastTime = t0 + 12.5
        var second = CaptureSummary(path: br2, linktype: "LINUX_SLL2", packets: 80, bytes: 30_100)
        second.firstTime = t0 + 0.2; second.lastTime = t0 + 12.1
        second.drops = CaptureDrops(received: 80, droppedByKernel: 3, droppedByInterface: 0)
        return Verdict(
            plan: "vxlan-bgp-lab", planPath: "plans/vxlan-bgp.yaml", captures: [first, second], checks: checks,
            metrics: Metrics(
                packets: 200, bytes: 94_612,
                encapsulation: [EncapsulationMetric(kind: "vxlan", packets: 80, frames: 80, bytes: 64_512, overheadBytes: 4_000),
                                EncapsulationMetric(kind: "ipip", packets: 10, frames: 12, bytes: 9_000, overheadBytes: 420)],
                hostPairs: [HostPairTraffic(from: "host1", to: "host2", packets: 70, bytes: 52_000),
                            HostPairTraffic(from: "host2", to: "host1", packets: 50, bytes: 12_512),
                            HostPairTraffic(from: "host1", to: "outside", packets: 4, bytes: 600)]),
            events: [
                ControlEvent(capture: nic1, frame: 3, time: t0 + 0.5, proto: "bgp", kind: "OPEN", detail: "AS 64512 hold 90 from host1"),
                ControlEvent(capture: nic1, frame: 4, time: t0 + 0.6, proto: "bgp", kind: "OPEN", detail: "AS 64513 hold 90 from host2"),
                ControlEvent(capture: nic1, frame: 9, time: t0 + 1.0, proto: "bgp", kind: "UPDATE", detail: "192.168.10.0/24 via 192.168.56.119"),
                ControlEvent(capture: nic1, frame: 41, time: t0 + 4.2, proto: "bgp", kind: "UPDATE", detail: "10.99.0.0/16 via 192.168.56.120"),
                ControlEvent(capture: nic1, frame: 88, time: t0 + 11.8, proto: "bgp", kind: "NOTIFICATION", detail: "Cease / administrative shutdown"),
            ],
            bgpRoutes: [
                RouteRow(state: .extra, speaker: "host2", prefix: "10.99.0.0/16", nextHop: "192.168.56.120", detail: "not a planned container subnet"),
                RouteRow(state: .present, speaker: "host1", prefix: "192.168.10.0/24", nextHop: "192.168.56.119"),
                RouteRow(state: .missing, speaker: "host2", prefix: "192.168.20.0/24", detail: "never announced"),
            ],
            elapsedSeconds: 0.042)
    }

    /// Every check passes.
    static var allPass: Verdict {
        var capture = CaptureSummary(path: "a.pcap", linktype: "EN10MB", packets: 42, bytes: 4_200)
        capture.firstTime = t0; capture.lastTime = t0 + 3
        return Verdict(
            plan: "blog-static-routes", planPath: "plan.yaml", captures: [capture],
            checks: CheckID.allCases.map { CheckResult(id: $0, status: .pass, summary: "as planned") },
            metrics: Metrics(packets: 42, bytes: 4_200))
    }

    /// Every check skipped (an empty capture).
    static var allSkipped: Verdict {
        Verdict(
            plan: "empty", planPath: "plan.yaml", captures: [CaptureSummary(path: "empty.pcap", linktype: "EN10MB")],
            checks: CheckID.allCases.map { CheckResult(id: $0, status: .skip, summary: "no traffic to judge") })
    }

    /// A capture cut in the middle of a record at frame 57.
    static var incomplete: Verdict {
        var cut = CaptureSummary(path: "cut.pcap", linktype: "EN10MB", packets: 56, bytes: 5_600)
        cut.firstTime = t0; cut.lastTime = t0 + 1
        cut.incomplete = IncompleteRead(frame: 57, reason: "record header says 1514 bytes, 200 left in the file")
        cut.malformed = 1
        var checks = CheckID.allCases.map { CheckResult(id: $0, status: .pass, summary: "as planned") }
        checks[1] = CheckResult(id: .natSource, status: .fail, summary: "1 flow source-NATed",
                                evidence: [Evidence(capture: "cut.pcap", frame: 12, detail: "SNAT")])
        return Verdict(plan: "cut-short", planPath: "plan.yaml", captures: [cut], checks: checks,
                       metrics: Metrics(packets: 56, bytes: 5_600, malformed: 1))
    }

    /// Markup, quotes and Markdown syntax in every plan- and packet-derived string.
    static let evil = "<script>alert(1)</script> \"dq\" 'sq' & | *b* _i_ `tick` [l](x) #1 $x$ ~s~ \\"
    static var hostile: Verdict {
        var verdict = failing
        verdict.plan = evil
        verdict.planPath = "plans/" + evil + ".yaml"
        verdict.captures[0].path = "cap " + evil + ".pcap"
        verdict.captures[0].linktype = evil
        for i in verdict.checks.indices {
            verdict.checks[i].summary = "summary " + evil
            verdict.checks[i].expected = "expected " + evil
            verdict.checks[i].observed = ["observed " + evil, "- " + evil, "1. " + evil]
            verdict.checks[i].evidence = [Evidence(capture: "ev " + evil, frame: 5, detail: "detail " + evil + "\nsecond line")]
        }
        verdict.metrics.hostPairs = [HostPairTraffic(from: "host " + evil, to: "'><svg onload=alert(2)>", packets: 1, bytes: 100)]
        verdict.metrics.encapsulation[0].kind = evil
        verdict.events = [ControlEvent(capture: evil, frame: 1, time: t0, proto: evil, kind: evil, detail: evil)]
        verdict.bgpRoutes = [RouteRow(state: .extra, speaker: evil, prefix: evil, nextHop: evil, detail: evil)]
        verdict.ospfRoutes = verdict.bgpRoutes
        verdict.ospfAdjacencies = verdict.bgpRoutes
        var link = OSPFLinkRow(link: evil, capture: evil, routers: [evil, evil], state: evil)
        link.designatedRouter = evil
        verdict.ospfLinks = [link]
        verdict.bgpSessions = [BGPSessionRow(peers: [evil, evil], addresses: [evil], state: evil, events: [
            .init(capture: evil, frame: 3, time: t0, from: evil, event: evil, detail: evil),
        ])]
        verdict.tool = evil
        return verdict
    }

    static let all: [(name: String, verdict: Verdict)] = [
        ("failing", failing), ("allPass", allPass), ("allSkipped", allSkipped), ("incomplete", incomplete),
        ("hostile", hostile),
    ]
}
