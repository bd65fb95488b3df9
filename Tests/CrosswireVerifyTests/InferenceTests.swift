// `crosswire infer` and `crosswire diff` on the lab's scenarios: the inferred
// plan of a healthy network verifies (no check fails) on its own captures, and
// the diff against the intended plan of a broken one points at the breakage.

import CrosswirePlan
import CrosswireVerdict
@testable import CrosswireVerify
import Foundation
import Testing

enum InferenceLab {
    /// The scenario's captures in the order its expected verdict was derived for.
    static func captures(_ scenario: String) -> [String] {
        let dir = Repo.pcaps.appendingPathComponent(scenario)
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("expected.json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let names = json["captures"] as? [String] else { return [] }
        return names.map { dir.appendingPathComponent($0).path }
    }

    /// Each scenario's expected verdict: does any check fail?
    static let failing: [String: Bool] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repo.pcaps.path)) ?? []
        var out: [String: Bool] = [:]
        for name in names {
            let url = Repo.pcaps.appendingPathComponent(name).appendingPathComponent("expected.json")
            guard let data = try? Data(contentsOf: url),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let checks = json["checks"] as? [String: String] else { continue }
            out[name] = checks.values.contains("fail")
        }
        return out
    }()
    /// Scenarios whose expected verdict has no failing check.
    static let healthy = failing.filter { !$0.value }.keys.sorted()
    /// Scenarios with a failing check: the network departs from its plan somewhere.
    static let broken = failing.filter { $0.value }.keys.sorted()

    /// Healthy scenarios the inference cannot get right from traffic, and why (infer says so in a
    /// `# not seen:` comment). None of the lab's: a scenario lands here only with its reason.
    static let knownGaps: [String: String] = [:]

    static func verify(_ yaml: String, _ captures: [String]) throws -> Verdict {
        let plan = try PlanLoader().load(yaml: yaml, path: "inferred.yaml")
        var session = VerificationSession(plan: plan)
        try session.read(captures.map { CaptureSource(path: $0) }, threads: 1)
        return session.verdict()
    }

    static func diff(_ scenario: String) throws -> PlanDiff {
        let plan = try PlanLoader().load(contentsOf: Repo.pcaps.appendingPathComponent(scenario).appendingPathComponent("plan.yaml").path)
        return PlanDiff(intended: plan, observed: try PlanInference.infer(captures: captures(scenario), judge: true))
    }

    static func differences(_ d: PlanDiff) -> [PlanDiff.Row] { d.rows.filter { $0.status == .different || $0.status == .extra } }
}

@Suite struct InferThenVerifyTests {
    @Test func theLabHasHealthyScenarios() {
        #expect(InferenceLab.healthy.count >= 20)
    }

    @Test(arguments: InferenceLab.healthy)
    func inferredPlanVerifies(_ scenario: String) throws {
        let inferred = try PlanInference.infer(captures: InferenceLab.captures(scenario))
        let verdict = try InferenceLab.verify(inferred.yaml(), InferenceLab.captures(scenario))
        let failed = verdict.checks.filter { $0.status == .fail }.map { "\($0.id.rawValue): \($0.summary)" }
        if let gap = InferenceLab.knownGaps[scenario] {
            withKnownIssue(Comment(rawValue: gap)) { #expect(failed.isEmpty, "\(failed)") }
        } else {
            #expect(failed.isEmpty, "\(scenario): \(failed)\n\(inferred.yaml())")
        }
    }

    /// Which capture comes first changes no inferred value (43 once took a service's DNAT for the
    /// reply of a source NAT when the NIC's capture came first: frames of two files compared).
    @Test(arguments: InferenceLab.healthy.filter { InferenceLab.captures($0).count > 1 })
    func theCaptureOrderChangesNothing(_ scenario: String) throws {
        let forward = try PlanInference.infer(captures: InferenceLab.captures(scenario)).plan
        let backward = try PlanInference.infer(captures: InferenceLab.captures(scenario).reversed()).plan
        #expect(forward == backward)
    }

    /// 25: BGP between loopbacks; the speaker is the host whose MAC sends its segments, at the
    /// address it answers ARP for (its ARP requests tell the loopback).
    @Test func aLoopbackSpeakerIsItsHost() throws {
        let plan = try PlanInference.infer(captures: InferenceLab.captures("25-bgp-loopback-peering")).plan
        #expect(plan.hosts.map(\.address.description) == ["192.168.56.119", "192.168.56.120"])
        #expect(plan.hosts.map { $0.routerID?.description } == ["10.255.0.1", "10.255.0.2"])
        #expect(plan.routers.isEmpty)
    }

    /// 31: no OPEN in the capture; the ASN of an eBGP speaker is the one AS of a route it originated,
    /// and the hold time is said not to be seen.
    @Test func withoutAnOpenTheASNComesFromThePathAndTheHoldTimeIsNotSeen() throws {
        let inferred = try PlanInference.infer(captures: InferenceLab.captures("31-bgp-mid-session-update"))
        #expect(inferred.plan.hosts.first { $0.address.description == "192.168.56.120" }?.asn == 64513)
        #expect(inferred.plan.routing.bgp?.holdTime == nil)
        #expect(inferred.yaml().contains("# bgp: not seen: no BGP OPEN (the sessions were up before the capture began)"))
    }

    /// 26 and 51: one MAC answering ARP and ND is one dual-stack host, with both families' routes.
    @Test(arguments: ["26-bgp-ipv6", "51-dual-stack"])
    func aDualStackHostIsOneHost(_ scenario: String) throws {
        let plan = try PlanInference.infer(captures: InferenceLab.captures(scenario)).plan
        #expect(plan.hosts.count == 2)
        #expect(plan.hosts.map { $0.addresses.map(\.description) } == [["192.168.56.119", "fd00:56::119"], ["192.168.56.120", "fd00:56::120"]])
        #expect(plan.hosts.map { $0.containerSubnets.map(\.description) } == [["192.168.10.0/24", "fd00:10::/64"], ["192.168.20.0/24", "fd00:20::/64"]])
    }

    /// 21 and 32: one router id is one router over both links, and the links' networks in its
    /// Router-LSA are no containers.
    @Test(arguments: ["21-ospf-mtu-one-link", "32-ospf-mtu-mixed-links"])
    func aRouterWithTwoLinksIsOneNode(_ scenario: String) throws {
        let inferred = try PlanInference.infer(captures: InferenceLab.captures(scenario))
        #expect(inferred.plan.hosts.map(\.address.description) == ["192.168.56.119", "192.168.56.120"])
        #expect(inferred.plan.routers.isEmpty)
        #expect(inferred.extraAnnouncements.allSatisfy { $0.kind == .ospfLink })
        #expect(inferred.yaml().contains("(its own link's network, not a container subnet)"))
    }

    /// 42 and 48: an egress router's far side (reached only after source NAT; declared unreachable)
    /// is no container subnet, and egress masquerade is not `nat: masquerade`.
    @Test(arguments: ["42-egress-masquerade", "48-traceroute"])
    func anEgressDestinationIsNoContainer(_ scenario: String) throws {
        let plan = try PlanInference.infer(captures: InferenceLab.captures(scenario)).plan
        #expect(plan.hosts.flatMap(\.containerSubnets).map(\.description) == ["192.168.10.0/24", "192.168.20.0/24"])
        #expect(plan.nat == NATPolicy.none)
    }

    /// 30: OPENs cut at 96 bytes still show their fixed head: ASN, hold time, identifier.
    @Test func aCutOpenStillNamesTheSpeaker() throws {
        let plan = try PlanInference.infer(captures: InferenceLab.captures("30-bgp-snaplen-96")).plan
        #expect(plan.routing.routingProtocol == .bgp)
        #expect(plan.hosts.map(\.asn) == [64512, 64513])
    }

    @Test func everyValueCarriesItsEvidence() throws {
        let yaml = try PlanInference.infer(captures: InferenceLab.captures("01-static-routes")).yaml()
        #expect(yaml.contains("containers: 192.168.10.0/24   # container 192.168.10.2 behind it, from"))
        #expect(yaml.contains("host1-eth0.pcap frame"))
        #expect(yaml.contains("# not seen: no BGP or OSPF traffic"))
    }

    @Test func aDamagedCaptureIsReadUpToTheDamage() throws {
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try Data(contentsOf: URL(fileURLWithPath: InferenceLab.captures("01-static-routes")[1]))
        let cut = dir.appendingPathComponent("cut.pcap")
        try source.prefix(source.count - 7).write(to: cut)
        let inferred = try PlanInference.infer(captures: [cut.path])
        #expect(try PlanLoader().load(yaml: inferred.yaml()).hosts.count == 2)
    }
}

@Suite struct DiffTests {
    /// No noise: a healthy network matches its intended plan key by key.
    @Test(arguments: InferenceLab.healthy)
    func aHealthyScenarioDoesNotDiffer(_ scenario: String) throws {
        let d = try InferenceLab.diff(scenario)
        #expect(!d.differs, "\(InferenceLab.differences(d))")
    }

    /// Every broken scenario's breakage shows in the diff.
    @Test(arguments: InferenceLab.broken)
    func aBrokenScenarioDiffers(_ scenario: String) throws {
        #expect(try InferenceLab.diff(scenario).differs)
    }

    /// What fails even against the plan inferred from the same captures is a difference from any
    /// plan: fragmented tunnel packets, a black hole, a session's hold timer, unanswered SYNs.
    @Test(arguments: [
        ("12-vxlan-mtu-mistake", "encap.mtu"), ("50-blackhole-three-points", "encap.mtu"),
        ("28-bgp-hold-timer-expired", "bgp.session"), ("27-bgp-md5-mismatch", "bgp.session"),
        ("54-syn-dropped", "flow.answered"), ("21-ospf-mtu-one-link", "ospf.adjacency"),
    ])
    func aCheckFailingWithTheInferredPlanIsADifference(_ scenario: String, _ check: String) throws {
        let d = try InferenceLab.diff(scenario)
        let row = d.rows.first { $0.key == "checks[\(check)]" }
        #expect(row?.status == .different, "\(InferenceLab.differences(d))")
        #expect(row?.evidence?.contains(" frame ") == true)
    }

    /// 44 (only the NICs captured) and 45 (`tcpdump -i any`, no destination MACs): MASQUERADE left on.
    @Test(arguments: ["44-masquerade-nic-only", "45-tcpdump-any"])
    func masqueradeWithoutTheBridgeIsANATDifference(_ scenario: String) throws {
        let d = try InferenceLab.diff(scenario)
        #expect(d.rows.contains { $0.key == "nat" && $0.status == .different && $0.observed == "masquerade" }, "\(d.rows)")
    }

    /// 07 and 22: the Hellos disagree; the plan's interval is compared with every value seen.
    @Test(arguments: ["07-ospf-hello-mismatch", "22-ospf-point-to-point"])
    func helloIntervalsThatDisagreeDiffer(_ scenario: String) throws {
        let d = try InferenceLab.diff(scenario)
        #expect(d.rows.contains { $0.key == "routing.ospf.hello_interval" && $0.status == .different && $0.intended == "2" && $0.observed == "2, 3" })
    }

    @Test func aHealthyNetworkMatchesItsPlan() throws {
        let d = try InferenceLab.diff("01-static-routes")
        #expect(!d.differs, "\(d.markdown())")
        #expect(d.rows.contains { $0.key == "hosts[host1].containers" && $0.status == .present })
    }

    @Test func masqueradeLeftOnIsANATDifference() throws {
        let d = try InferenceLab.diff("02-static-masquerade")
        #expect(d.rows.contains { $0.key == "nat" && $0.status == .different && $0.intended == "none" && $0.observed == "masquerade" })
    }

    @Test func anExtraAnnouncedPrefixIsExtra() throws {
        let d = try InferenceLab.diff("09-bgp-extra-prefix")
        #expect(d.rows.contains { $0.key == "announced[host2 192.168.99.0/24]" && $0.status == .extra })
    }

    @Test func unencapsulatedTrafficWhereVXLANIsPlannedIsATransportDifference() throws {
        let d = try InferenceLab.diff("47-vxlan-planned-plain")
        #expect(d.rows.contains { $0.key == "transport.mode" && $0.status == .different && $0.observed == "routed" })
    }

    /// 14-wrong-route: host1 sends host2's containers' traffic through host3, whose own containers are silent.
    @Test func aRouteThroughTheWrongHostIsARouteDifference() throws {
        let d = try InferenceLab.diff("14-wrong-route")
        #expect(d.rows.contains { $0.key == "routes[at host1 to 192.168.20.0/24]" && $0.status == .different && $0.observed == "via 192.168.56.121" })
        #expect(d.rows.contains { $0.key == "hosts[host3].containers" && $0.status == .missing })
        #expect(d.rows.filter { $0.status == .different || $0.status == .extra }.count == 1, "\(d.rows.filter { $0.status != .present })")
    }

    /// 15-bridged: nothing is forwarded and nothing tunnelled, so no mode is observed: missing, not different.
    @Test func aModeNothingShowsIsMissingNotDifferent() throws {
        let d = try InferenceLab.diff("15-bridged")
        #expect(d.rows.contains { $0.key == "transport.mode" && $0.status == .missing })
        #expect(!d.differs, "\(d.rows.filter { $0.status != .present })")
    }

    /// A published port's replies leave with the host's address as source: that is no masquerade.
    @Test func aPublishedPortIsNotMasquerade() throws {
        let healthy = try InferenceLab.diff("03-port-published")
        #expect(!healthy.differs, "\(healthy.rows.filter { $0.status != .present })")
        let undeclared = try InferenceLab.diff("04-port-unpublished")
        #expect(undeclared.rows.contains { $0.key == "publish[host2 tcp/8080 -> 192.168.20.2:80]" && $0.status == .extra })
        #expect(!undeclared.rows.contains { $0.key == "nat" && $0.status == .different })
    }

    /// 11-vxlan-4789 plans at most 5% of overhead; VXLAN's 50 bytes on small packets measure 15%.
    @Test func overheadAboveThePlannedCeilingIsADifference() throws {
        let d = try InferenceLab.diff("11-vxlan-4789")
        #expect(d.rows.contains { $0.key == "transport.max_overhead_ratio" && $0.status == .different && $0.observed == "measured 0.15" })
        #expect(d.rows.first { $0.key == "transport.mode" }?.evidence?.hasPrefix("vxlan VNI 1 UDP port 4789 carries") == true)
    }

    @Test func jsonNamesEveryKey() throws {
        let d = try InferenceLab.diff("02-static-masquerade")
        let json = try JSONSerialization.jsonObject(with: Data(d.json().utf8)) as? [String: Any]
        #expect(json?["differs"] as? Bool == true)
        #expect((json?["keys"] as? [[String: Any]])?.contains { $0["key"] as? String == "nat" } == true)
    }
}
