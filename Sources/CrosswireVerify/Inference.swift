// `crosswire infer`: a plan drafted from what the captures show. Every value
// carries its evidence (a note per key path); what was not seen is said, not
// guessed. Hosts and container subnets come from the scan (InferenceScan.swift);
// the control plane, tunnel overhead and NAT from verification sessions run
// with the draft, since those analysers need to know the container subnets.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict


/// A plan inferred from captures, with the evidence of each value.
public struct InferredPlan: Sendable {
    /// The plan, loadable as written by `yaml()`.
    public var plan: Plan
    /// Per key path (`hosts[0].containers`, `transport.mode`): where the value came from, or why it is absent.
    public var notes: [String: String] = [:]
    /// Every next hop seen towards a container subnet, default or not (the plan keeps only non-default ones).
    public var observedRoutes: [ObservedRoute] = []
    /// BGP announcements that are not a host's container subnet.
    public var extraAnnouncements: [ObservedAnnouncement] = []
    /// The captures, as named in the evidence.
    public var captures: [String] = []
    /// No host was seen: the plan's one host is a placeholder (a plan needs one).
    public var placeholderHost = false
    /// The tunnels' overhead ratio as measured (the plan's `max_overhead_ratio` adds headroom to it).
    public var measuredOverheadRatio: Double?
    /// Every value seen where the captures disagree with each other (the plan keeps a value only
    /// where all agree): `routing.bgp.hold_time`, `routing.ospf.area`, `…hello_interval`, `…dead_interval`.
    public var valuesSeen: [String: [String]] = [:]
    /// The checks that fail when the captures are verified against this very plan (`judge: true`):
    /// what no plan makes pass, so the network departs there from any plan, the intended one too.
    public var failingChecks: [CheckResult] = []
    /// Captures that end in the middle of a record: the plan covers the frames before the cut.
    public var cuts: [CaptureError] = []
}

/// A next hop seen: at `at`, packets to `to` went to `via`.
public struct ObservedRoute: Sendable, Hashable {
    public var route: Route
    public var evidence: String
}

/// A prefix a BGP or OSPF speaker announced that is not a container subnet of the draft.
public struct ObservedAnnouncement: Sendable, Hashable {
    public enum Kind: String, Sendable { case bgp, ospf, ospfLink = "ospf link network", ospfDefault = "ospf default route" }
    public var host: String
    public var prefix: IPPrefix
    public var evidence: String
    public var kind: Kind = .bgp
}

/// Drafts a plan from captures.
public enum PlanInference {
    /// Reads `captures` and infers the plan they show. Throws when a capture cannot be opened.
    /// With `judge`, the captures are verified against the inferred plan too (`failingChecks`).
    public static func infer(captures: [String], name: String = "inferred", judge: Bool = false) throws(CaptureError) -> InferredPlan {
        var scan = InferenceScan()
        try scan.read(paths: captures)
        var draft = Draft(scan: scan, captures: captures)
        draft.placeNodes()
        var plan = draft.plan(name: name)
        // The control plane and the tunnels' overhead, judged with the draft's subnets.
        let first = try findings(plan, captures)
        draft.addControlPlane(first.control)
        plan = draft.plan(name: name)
        let second = try findings(plan, captures)
        draft.addTunnelOverhead(second.tunnels)
        draft.addNAT(second.nat, findings: second)
        var inferred = draft.inferred(name: name)
        inferred.cuts = scan.cuts
        if judge {
            var session = VerificationSession(plan: inferred.plan)
            try session.read(captures.map { CaptureSource(path: $0) }, threads: 1)
            // plan.valid judges the draft itself, not the network.
            inferred.failingChecks = session.verdict().checks.filter { $0.status == .fail && $0.id != .planValid }
        }
        return inferred
    }

    static func findings(_ plan: Plan, _ captures: [String]) throws(CaptureError) -> Findings {
        var session = VerificationSession(plan: plan)
        try session.read(captures.map { CaptureSource(path: $0) }, threads: 1)
        return session.findings()
    }
}

/// One node of the draft: a host (it owns container addresses) or a router.
struct DraftNode {
    var address: IPAddress
    /// The address of the other family on the same NIC (a dual-stack host claims both with one MAC).
    var otherAddress: IPAddress?
    var addresses: [IPAddress] { [address] + (otherAddress.map { [$0] } ?? []) }
    var mac: MACAddress?
    var cells: Set<IPPrefix> = []
    var containers: [IPPrefix] = []
    var gateway: IPAddress?
    var asn: UInt32?
    var routerID: IPv4Address?
    var name = ""
    var notes: [String: String] = [:]
    var isHost: Bool { !containers.isEmpty }
}

struct Draft {
    let scan: InferenceScan
    let captures: [String]
    var nodes: [DraftNode] = []
    var notes: [String: String] = [:]
    var routes: [ObservedRoute] = []
    var extraAnnouncements: [ObservedAnnouncement] = []
    var transport = Transport(mode: .routed)
    var measuredOverheadRatio: Double?
    var valuesSeen: [String: [String]] = [:]
    var underlayMTU = 1500
    var routing = Routing(routingProtocol: .static)
    var nat = NATPolicy.none
    var publish: [PublishedPort] = []
    var services: [IPPrefix] = []
    /// MAC → the addresses it claimed (ARP/ND first, then packets it sent with an initial TTL).
    var claims: [MACAddress: [IPAddress]] = [:]
    /// Container address → (node address, score, evidence): the node it is behind.
    var behind: [IPAddress: (node: IPAddress, score: Int, ref: FrameRef, count: Int)] = [:]

    init(scan: InferenceScan, captures: [String]) { self.scan = scan; self.captures = captures }

    func cite(_ count: Int, _ ref: FrameRef) -> String {
        let path = ref.capture.index >= 0 && Int(ref.capture.index) < captures.count ? captures[Int(ref.capture.index)] : "?"
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return "from \(count) frame\(count == 1 ? "" : "s"); \(file) frame \(ref.frame)"
    }

    func index(of address: IPAddress) -> Int? { nodes.firstIndex { $0.address == address || $0.otherAddress == address } }

    /// The node a control-plane speaker belongs to: the node of that address, else the node whose
    /// MAC answered ARP/ND for it or sends its packets (a loopback or the other family's address).
    mutating func speakerNode(_ a: IPAddress) -> Int {
        if let i = index(of: a) { return i }
        let macs = scan.answeredClaims.filter { $0.address == a }.map(\.mac).sorted()
            + scan.hops.keys.filter { $0.source == a && $0.sourceMAC != .zero }.map(\.sourceMAC).sorted()
        for mac in macs {
            if let i = nodes.firstIndex(where: { $0.mac == mac }) { return i }
        }
        return node(a)
    }

    mutating func node(_ address: IPAddress) -> Int {
        if let i = index(of: address) { return i }
        nodes.append(DraftNode(address: address))
        return nodes.count - 1
    }

    static func cell(_ a: IPAddress) -> IPPrefix { IPPrefix(address: a, length: a.isV4 ? 24 : 64)! }

    /// Hosts, routers, container subnets, gateways, MACs, next hops and the transport, from the scan.
    mutating func placeNodes() {
        // An answered claim (ARP reply, NA) names the interface's own address: it comes first.
        for (c, _) in scan.arpClaims.sorted(by: { (scan.answeredClaims.contains($0.key) ? 0 : 1, $0.value.first) < (scan.answeredClaims.contains($1.key) ? 0 : 1, $1.value.first) }) {
            claims[c.mac, default: []].append(c.address)
        }
        for (c, _) in scan.sourcedClaims.sorted(by: { $0.value.first < $1.value.first })
        where !(claims[c.mac]?.contains(c.address) ?? false) { claims[c.mac, default: []].append(c.address) }

        // Who forwards what: a MAC that hands on a packet for an address it does not claim.
        var forwarded: [(mac: MACAddress, address: IPAddress, partner: IPAddress, score: Int, ref: FrameRef, count: Int)] = []
        for (k, seen) in scan.hops {
            if let mine = claims[k.sourceMAC], !mine.contains(k.source) {
                forwarded.append((k.sourceMAC, k.source, k.destination, 1000 + Int(seen.maxTTL), seen.sighting.first, seen.sighting.count))
            }
            if let mine = claims[k.destinationMAC], !mine.contains(k.destination) {
                forwarded.append((k.destinationMAC, k.destination, k.source, 255 - Int(seen.minTTL), seen.sighting.first, seen.sighting.count))
            }
        }
        let forwarders = Set(forwarded.map(\.mac))
        var infrastructure = Set(forwarders.flatMap { claims[$0] ?? [] })
        for t in scan.tunnels.keys { infrastructure.insert(t.outerSource); infrastructure.insert(t.outerDestination) }
        var containerAddresses = Set(forwarded.map(\.address)).subtracting(infrastructure)
        for t in scan.tunnels.keys { containerAddresses.insert(t.innerSource); containerAddresses.insert(t.innerDestination) }
        containerAddresses.subtract(infrastructure)
        containerAddresses = containerAddresses.filter { !$0.isMulticast && !$0.isUnspecified }
        let tunnelled = Set(scan.tunnels.keys.flatMap { [$0.innerSource, $0.innerDestination] })
        // Not a container: a destination a router declared unreachable (RFC 792 destination
        // unreachable) that never sent a packet itself.
        for a in containerAddresses where !tunnelled.contains(a) && !scan.sources.contains(a) && scan.unreachable[a] != nil {
            containerAddresses.remove(a)
        }
        let cells = Set(containerAddresses.map(Self.cell))

        // A forwarding MAC's node address: its first claimed address outside the container cells.
        var macNode: [MACAddress: IPAddress] = [:]
        for mac in forwarders.sorted() {
            if let a = claims[mac]?.first(where: { a in !cells.contains { $0.contains(a) } }) { macNode[mac] = a }
        }
        // Tunnels: the inner addresses are behind the outer ones, the strongest evidence.
        for (t, s) in scan.tunnels {
            vote(t.innerSource, t.outerSource, 3000, s.first, s.count)
            vote(t.innerDestination, t.outerDestination, 2000, s.first, s.count)
        }
        for f in forwarded where containerAddresses.contains(f.address) {
            if let n = macNode[f.mac] { vote(f.address, n, f.score, f.ref, f.count) }
        }
        // Where containers of two subnets talk untranslated across a node, an address whose node
        // only ever hands it packets to or from node addresses is reached through source NAT
        // alone: the far side of an egress NAT (Docker masquerades what leaves the plan), not a
        // container of that node.
        let direct = forwarded.contains { f in
            macNode[f.mac] != nil && containerAddresses.contains(f.address) && containerAddresses.contains(f.partner) && Self.cell(f.address) != Self.cell(f.partner)
        }
        for (a, b) in behind where direct && !tunnelled.contains(a) {
            let partners = forwarded.filter { $0.address == a && macNode[$0.mac] == b.node }.map(\.partner)
            if !partners.isEmpty, !partners.contains(where: containerAddresses.contains) { behind[a] = nil }
        }
        for (a, b) in behind.sorted(by: { $0.key < $1.key }) {
            let i = node(b.node)
            nodes[i].cells.insert(Self.cell(a))
            nodes[i].notes["containers"] = nodes[i].notes["containers"] ?? "container \(a) behind it, \(cite(b.count, b.ref))"
        }
        for mac in forwarders.sorted() {
            guard let a = macNode[mac], let i = index(of: a) else { continue }
            nodes[i].mac = nodes[i].mac ?? mac
        }
        for t in scan.tunnels.keys { _ = node(t.outerSource); _ = node(t.outerDestination) }
        for i in nodes.indices {
            nodes[i].containers = Self.subnets(Array(nodes[i].cells))
            if nodes[i].mac == nil, let (mac, ref) = arpMAC(of: nodes[i].address) { nodes[i].mac = mac; _ = ref }
            if let mac = nodes[i].mac, let s = scan.arpClaims[InferenceScan.Claim(address: nodes[i].address, mac: mac)] {
                nodes[i].notes["mac"] = "ARP/ND " + cite(s.count, s.first)
            } else if let mac = nodes[i].mac, let s = scan.sourcedClaims[InferenceScan.Claim(address: nodes[i].address, mac: mac)] {
                nodes[i].notes["mac"] = "sent its own packets, " + cite(s.count, s.first)
            } else if nodes[i].mac != nil {
                nodes[i].notes["mac"] = "the MAC that forwards its containers' traffic"
            }
            // The gateway: an address inside its container subnet answered by a forwarding MAC.
            for mac in forwarders.sorted() {
                if let g = claims[mac]?.first(where: { g in nodes[i].containers.contains { $0.contains(g) } }), nodes[i].gateway == nil {
                    nodes[i].gateway = g
                    if let s = scan.arpClaims[InferenceScan.Claim(address: g, mac: mac)] { nodes[i].notes["gateway"] = "answers ARP/ND for it, " + cite(s.count, s.first) }
                    else { nodes[i].notes["gateway"] = "forwards its containers' traffic" }
                }
            }
        }
        // A MAC that forwards container traffic from an address on the hosts' underlay (not a
        // host's bridge inside its containers) is a router, or a host whose own containers are
        // silent: a node, so that routes through it can name it.
        let underlay = Set(nodes.map { Self.cell($0.address) })
        for mac in forwarders.sorted() {
            guard let a = macNode[mac], index(of: a) == nil, underlay.contains(Self.cell(a)),
                  !nodes.contains(where: { n in n.containers.contains { $0.contains(a) } }),
                  forwarded.contains(where: { $0.mac == mac && containerAddresses.contains($0.address) }) else { continue }
            let i = node(a)
            nodes[i].mac = mac
            if let s = scan.arpClaims[InferenceScan.Claim(address: a, mac: mac)] { nodes[i].notes["mac"] = "ARP/ND " + cite(s.count, s.first) }
        }
        mergeDualStack(cells: cells)
        placeRoutes(macNode: macNode)
        placeTransport(containerAddresses: containerAddresses)
    }

    /// One NIC, two families: a node's MAC answering ARP for an IPv4 and ND for an IPv6 address
    /// (outside the container subnets) is one dual-stack node, not two.
    mutating func mergeDualStack(cells: Set<IPPrefix>) {
        for i in nodes.indices {
            guard let mac = nodes[i].mac, nodes[i].otherAddress == nil else { continue }
            let v4 = nodes[i].address.isV4
            // The other family's address: one the MAC answered for; an IPv4 one it only asked
            // from will do (an IPv6 host asks from its interface's address, RFC 4861 §7.2.2).
            let other = (claims[mac] ?? []).filter { a in a.isV4 != v4 && !a.isLinkLocal && !cells.contains { $0.contains(a) } }
            nodes[i].otherAddress = other.first { scan.answeredClaims.contains(InferenceScan.Claim(address: $0, mac: mac)) } ?? other.first { $0.isV4 }
            // The plan lists the IPv4 address first.
            if let o = nodes[i].otherAddress, o.isV4, index(of: o) == i || !nodes.contains(where: { $0.address == o }) {
                nodes[i].otherAddress = nodes[i].address
                nodes[i].address = o
            }
        }
        var i = 0
        while i < nodes.count {
            if let other = nodes[i].otherAddress, let j = nodes.indices.first(where: { $0 != i && nodes[$0].address == other }) {
                let keep = nodes[i].address.isV4 ? i : j, drop = keep == i ? j : i
                nodes[keep].otherAddress = nodes[drop].address
                nodes[keep].cells.formUnion(nodes[drop].cells)
                nodes[keep].containers = Self.subnets(Array(nodes[keep].cells))
                nodes[keep].gateway = nodes[keep].gateway ?? nodes[drop].gateway
                for (k, v) in nodes[drop].notes where nodes[keep].notes[k] == nil { nodes[keep].notes[k] = v }
                nodes.remove(at: drop)
                // What names nodes by index follows the removal.
                func moved(_ s: String) -> String { let j = Int(s)! == drop ? keep : Int(s)!; return "\(j > drop ? j - 1 : j)" }
                for r in routes.indices { routes[r].route.at = moved(routes[r].route.at) }
                for a in extraAnnouncements.indices { extraAnnouncements[a].host = moved(extraAnnouncements[a].host) }
                for p in publish.indices { publish[p].host = moved(publish[p].host) }
                i = 0
                continue
            }
            i += 1
        }
    }

    func arpMAC(of a: IPAddress) -> (MACAddress, FrameRef)? {
        let macs = scan.arpClaims.filter { $0.key.address == a }
        guard macs.count == 1, let m = macs.first else { return nil }
        return (m.key.mac, m.value.first)
    }

    mutating func vote(_ address: IPAddress, _ node: IPAddress, _ score: Int, _ ref: FrameRef, _ count: Int) {
        if let b = behind[address], b.score > score || (b.score == score && b.ref < ref) { return }
        behind[address] = (node, score, ref, count)
    }

    /// The smallest planned-looking prefix per family covering a node's cells: a /24 (or /64), or wider when it has several.
    static func subnets(_ cells: [IPPrefix]) -> [IPPrefix] {
        var out: [IPPrefix] = []
        for v4 in [true, false] {
            let mine = cells.filter { $0.network.isV4 == v4 }.sorted()
            guard var p = mine.first else { continue }
            while !mine.allSatisfy({ p.contains($0.network) }), p.length > 0 {
                p = IPPrefix(address: p.network, length: p.length - 1)!
            }
            out.append(p)
        }
        return out
    }

    mutating func placeRoutes(macNode: [MACAddress: IPAddress]) {
        let nodes = self.nodes, claims = self.claims
        func nodeOf(_ mac: MACAddress) -> Int? {
            if let a = macNode[mac], let i = nodes.firstIndex(where: { $0.address == a }) { return i }
            for a in claims[mac] ?? [] { if let i = nodes.firstIndex(where: { $0.address == a }) { return i } }
            return nil
        }
        var seen: [Route: (count: Int, ref: FrameRef)] = [:]
        for (k, s) in scan.hops {
            guard let owner = nodes.firstIndex(where: { n in n.containers.contains { $0.contains(k.destination) } }),
                  let at = nodeOf(k.sourceMAC), let via = nodeOf(k.destinationMAC), at != owner, via != at,
                  let to = nodes[owner].containers.first(where: { $0.contains(k.destination) }) else { continue }
            let r = Route(at: "\(at)", to: to, via: nodes[via].addresses.first { $0.isV4 == to.network.isV4 } ?? nodes[via].address)
            let old = seen[r]
            seen[r] = (s.sighting.count + (old?.count ?? 0), min(old?.ref ?? s.sighting.first, s.sighting.first))
        }
        routes = seen.map { ObservedRoute(route: $0.key, evidence: cite($0.value.count, $0.value.ref)) }
    }

    mutating func placeTransport(containerAddresses: Set<IPAddress>) {
        var kinds: [TunnelSignature: (count: Int, ref: FrameRef)] = [:]
        for (t, s) in scan.tunnels where containerAddresses.contains(t.innerSource) || containerAddresses.contains(t.innerDestination) {
            let key = TunnelSignature(kind: t.kind, vni: t.vni, port: t.port)
            let old = kinds[key]
            kinds[key] = (s.count + (old?.count ?? 0), min(old?.ref ?? s.first, s.first))
        }
        if let (sig, s) = kinds.max(by: { ($0.value.count, $1.value.ref) < ($1.value.count, $0.value.ref) }) {
            let others = kinds.count > 1 ? "; also seen: " + kinds.keys.filter { $0 != sig }.map(\.description).sorted().joined(separator: ", ") : ""
            switch sig.kind {
            case .vxlan:
                transport = Transport(mode: .vxlan, vxlan: TunnelSettings(vni: sig.vni ?? 0, port: sig.port))
            case .geneve:
                transport = Transport(mode: .geneve, geneve: TunnelSettings(vni: sig.vni ?? 0, port: sig.port))
            default:
                transport = Transport(mode: .ipip)
            }
            notes["transport.mode"] = "\(sig.description) carries container traffic, \(cite(s.count, s.ref))\(others)"
            if let inner = scan.largestInner {
                var mtu = inner.length
                var why = "largest inner packet \(inner.length) bytes, \(cite(1, inner.ref))"
                if let m = scan.largestMSS, m.mss + (m.v4 ? 40 : 60) > mtu {
                    mtu = m.mss + (m.v4 ? 40 : 60)
                    why = "largest SYN MSS \(m.mss) + \(m.v4 ? 40 : 60), \(cite(1, m.ref))"
                }
                transport.mtu = mtu
                notes["transport.mtu"] = why + "; a lower bound: the real MTU may be larger"
            }
        } else if behind.isEmpty {
            notes["transport.mode"] = "not seen: no forwarded container traffic and no tunnel; routed is an assumption, review it"
        } else {
            let ttl = scan.hops.values.filter { $0.minTTL < 64 && !InferenceScan.isInitialTTL($0.minTTL) }.count
            notes["transport.mode"] = "no tunnel; container packets forwarded by host MACs with TTL decremented (\(ttl) hops)"
        }
        if let w = scan.largestWire {
            underlayMTU = max(1500, w.length)
            notes["underlay.mtu"] = "largest wire packet \(w.length) bytes (offload aggregates left out), \(cite(1, w.ref))"
        } else {
            notes["underlay.mtu"] = "not seen: no IP packets; 1500 is the default"
        }
    }

    /// BGP speakers and their ASN, router id, hold time and announcements; OSPF routers, area and intervals.
    mutating func addControlPlane(_ c: ControlPlaneFindings) {
        var holdTimes: [UInt16: FrameRef] = [:]
        var speakers: [IPAddress: ControlPlaneFindings.OpenSeen] = [:]
        for (_, s) in c.sessions { for (from, open) in s.opens where speakers[from] == nil || open.ref < speakers[from]!.ref { speakers[from] = open } }
        // OPENs cut by the snapshot length still show their fixed head; AS_TRANS (23456) means the
        // real AS is in a capability, past the cut (RFC 6793).
        for (from, h) in scan.openHeads where speakers[from] == nil && h.asn != 23456 && (c.bgpCutSegments > 0 || c.bgpFrames == 0) {
            speakers[from] = ControlPlaneFindings.OpenSeen(asn: UInt32(h.asn), holdTime: h.holdTime, identifier: h.identifier, ref: h.ref)
        }
        for (from, open) in speakers.sorted(by: { $0.key < $1.key }) {
            let i = speakerNode(from)
            nodes[i].asn = open.asn
            nodes[i].routerID = open.identifier
            nodes[i].notes["asn"] = "BGP OPEN, " + cite(1, open.ref)
            nodes[i].notes["router_id"] = "BGP OPEN identifier, " + cite(1, open.ref)
            holdTimes[open.holdTime] = min(holdTimes[open.holdTime] ?? open.ref, open.ref)
        }
        // Both ends of a session are speakers, whether or not their OPEN or UPDATE was seen.
        for key in c.sessions.keys.sorted(by: { ($0.a, $0.b) < ($1.a, $1.b) }) {
            for end in [key.a, key.b] where index(of: end) == nil {
                let i = speakerNode(end)
                nodes[i].notes["bgp"] = nodes[i].notes["bgp"] ?? "a BGP session's end, " + cite(c.sessions[key]!.messages, c.sessions[key]!.first)
            }
        }
        // Announced prefixes: the owner is the speaker named by the next hop, else the sender.
        var announced: [(owner: Int, prefix: IPPrefix, ref: FrameRef)] = []
        for (speaker, table) in c.routes.sorted(by: { $0.key < $1.key }) {
            let sender = speakerNode(speaker)
            for (prefix, state) in table.sorted(by: { $0.key < $1.key }) {
                guard let ref = state.firstAnnounced ?? (state.announced ? state.ref : nil) else { continue }
                let owner = state.originatorID.flatMap { rid in nodes.firstIndex { $0.routerID == rid } }
                    ?? state.nextHop.flatMap { index(of: $0) } ?? sender
                announced.append((owner, prefix, ref))
                // No OPEN seen: a route the sender originated (next hop itself) with a one-AS path
                // went to an external peer, and that AS is the sender's (RFC 4271 §5.1.2; towards
                // an internal peer the path would be empty).
                if nodes[sender].asn == nil, owner == sender, state.pathLength == 1, let asn = state.originAS {
                    nodes[sender].asn = asn
                    nodes[sender].notes["asn"] = "the one AS of the path of a route it originated (no OPEN seen), " + cite(1, state.ref)
                }
            }
        }
        for a in announced.sorted(by: { ($0.prefix, $0.ref) < ($1.prefix, $1.ref) }) {
            addAnnounced(a.owner, a.prefix, "announced in BGP, " + cite(1, a.ref), kind: .bgp)
        }
        // TCP port 179 is BGP (RFC 4271 §8) even where no message could be decoded (cut by the
        // snapshot length, or refused before the OPEN).
        if !speakers.isEmpty || !c.routes.isEmpty || !c.attempts.isEmpty || c.bgpDataSegments > 0 {
            routing.routingProtocol = .bgp
            notes["routing.protocol"] = "BGP, \(c.bgpFrames) frames" + (c.bgpFrames == 0 ? " (TCP port 179: \(c.attempts.values.reduce(0) { $0 + $1.syns }) connection attempts, no message decoded)" : "")
            if !holdTimes.isEmpty { valuesSeen["routing.bgp.hold_time"] = holdTimes.keys.sorted().map(String.init) }
            if holdTimes.count == 1, let (h, ref) = holdTimes.first {
                routing.bgp = BGPExpectations(holdTime: Int(h))
                notes["routing.bgp"] = "every OPEN, " + cite(speakers.count, ref)
            } else if holdTimes.count > 1 {
                notes["routing.bgp"] = "not set: OPENs disagree on the hold time (\(holdTimes.keys.sorted().map(String.init).joined(separator: ", ")))"
            } else {
                notes["routing.bgp"] = "not seen: no BGP OPEN" + (c.bgpCutSegments > 0 ? " whole (messages cut at \(c.bgpSnaplen) bytes)" : " (the sessions were up before the capture began)")
            }
            for i in nodes.indices where nodes[i].isHost && nodes[i].asn == nil {
                nodes[i].notes["asn.missing"] = "not seen: no OPEN from it and no route it originated; plan.valid needs one for BGP"
            }
        }
        // OSPF: a router per router id, at the address its Hellos come from.
        var areas: Set<UInt32> = [], hellosI: Set<UInt16> = [], deads: Set<UInt32> = []
        var firstHello: FrameRef?
        var interfaces: Set<IPAddress> = []
        for (rid, hellos) in c.hellos.sorted(by: { $0.key < $1.key }) {
            guard let h = hellos.first, let ref = h.refs.first else { continue }
            interfaces.formUnion(hellos.map(\.source))
            // One router id is one router, whatever link its Hellos come from: the node of any of
            // its addresses, the one whose address is the router id first (RFC 2328 §1.2).
            let known = hellos.map(\.source).sorted { ($0 == .v4(rid) ? 0 : 1, $0) < ($1 == .v4(rid) ? 0 : 1, $1) }.first { index(of: $0) != nil }
            let i = known.flatMap { index(of: $0) } ?? index(of: .v4(rid)) ?? speakerNode(h.source)
            nodes[i].routerID = rid
            nodes[i].notes["router_id"] = "OSPF Hello, " + cite(h.refs.count, ref)
            for h in hellos { areas.insert(h.area.rawValue); hellosI.insert(h.helloInterval); deads.insert(h.deadInterval) }
            firstHello = min(firstHello ?? ref, ref)
        }
        for (key, adv) in c.advertisements.sorted(by: { $0.key < $1.key }) {
            guard let i = nodes.firstIndex(where: { $0.routerID == key.router }) else { continue }
            let why = "advertised in an OSPF LSA (type \(adv.lsaType)), " + cite(1, adv.ref)
            // A Router-LSA lists the networks of the router's own interfaces (RFC 2328 §12.4.1), and
            // an ASBR may originate a default: neither is a container subnet.
            if key.prefix.length == 0 || interfaces.contains(where: key.prefix.contains) || nodes.contains(where: { $0.addresses.contains(where: key.prefix.contains) }) {
                extraAnnouncements.append(ObservedAnnouncement(host: "\(i)", prefix: key.prefix, evidence: why, kind: key.prefix.length == 0 ? .ospfDefault : .ospfLink))
                continue
            }
            addAnnounced(i, key.prefix, why, kind: .ospf)
        }
        if let firstHello, routing.routingProtocol == .static {
            routing.routingProtocol = .ospf
            notes["routing.protocol"] = "OSPF, \(c.ospfFrames) frames"
            valuesSeen["routing.ospf.area"] = areas.sorted().map { "\(IPv4Address(rawValue: $0))" }
            valuesSeen["routing.ospf.hello_interval"] = hellosI.sorted().map(String.init)
            valuesSeen["routing.ospf.dead_interval"] = deads.sorted().map(String.init)
            var o = OSPFExpectations()
            if areas.count == 1 { o.area = areas.first }
            if hellosI.count == 1 { o.helloInterval = Int(hellosI.first!) }
            if deads.count == 1 { o.deadInterval = Int(deads.first!) }
            routing.ospf = o
            notes["routing.ospf"] = "every Hello agrees where a value is set, " + cite(c.hellos.values.reduce(0) { $0 + $1.count }, firstHello)
        }
        if routing.routingProtocol == .static {
            notes["routing.protocol"] = "not seen: no BGP or OSPF traffic; static"
        }
    }

    /// A prefix a node announces: its container subnet when it covers (or is) its containers, else an extra.
    mutating func addAnnounced(_ i: Int, _ prefix: IPPrefix, _ why: String, kind: ObservedAnnouncement.Kind) {
        let family = nodes[i].containers.firstIndex { $0.network.isV4 == prefix.network.isV4 }
        if let f = family {
            let current = nodes[i].containers[f]
            if current == prefix { nodes[i].notes["containers"] = why; return }
            // The announced prefix is the bridge's: it replaces a /24 guessed from addresses inside it.
            if prefix.contains(current.network), prefix.length <= current.length, nodes[i].notes["containers.announced"] == nil,
               !nodes.indices.contains(where: { $0 != i && nodes[$0].containers.contains { prefix.overlaps($0) } }) {
                nodes[i].containers[f] = prefix
                nodes[i].notes["containers"] = why
                nodes[i].notes["containers.announced"] = "yes"
                return
            }
            if nodes[i].notes["containers.announced"] == nil, current.contains(prefix.network), current.length < prefix.length {
                nodes[i].containers[f] = prefix
                nodes[i].notes["containers"] = why
                nodes[i].notes["containers.announced"] = "yes"
                return
            }
            extraAnnouncements.append(ObservedAnnouncement(host: "\(i)", prefix: prefix, evidence: why, kind: kind))
        } else if !nodes.indices.contains(where: { nodes[$0].containers.contains { prefix.overlaps($0) } }) {
            nodes[i].containers.append(prefix)
            nodes[i].notes["containers"] = why
            nodes[i].notes["containers.announced"] = "yes"
        } else {
            extraAnnouncements.append(ObservedAnnouncement(host: "\(i)", prefix: prefix, evidence: why, kind: kind))
        }
    }

    mutating func addTunnelOverhead(_ t: TunnelFindings) {
        guard transport.mode != .routed, transport.mode != .bridged else { return }
        let totals = t.totals.values.reduce(into: TunnelTotals()) { $0.bytes += $1.bytes; $0.overheadBytes += $1.overheadBytes; $0.packets += $1.packets }
        guard totals.bytes > 0 else { return }
        let ratio = Double(totals.overheadBytes) / Double(totals.bytes)
        measuredOverheadRatio = ratio
        // Headroom: a quarter above what was measured, to the next hundredth.
        let limit = min(1, (ratio * 1.25 * 100).rounded(.up) / 100)
        transport.maxOverheadRatio = limit
        notes["transport.max_overhead_ratio"] = "measured \(String(format: "%.4f", ratio)) over \(totals.packets) tunnel packets; a quarter of headroom"
    }

    /// Source NAT to the sender's host address (masquerade) and destination NAT to containers (publish, services).
    mutating func addNAT(_ n: NATFindings, findings: Findings) {
        var masq: FrameRef?, masqCount = 0
        func host(_ a: IPAddress) -> Int? { nodes.firstIndex { $0.address == a && $0.isHost } }
        func owner(_ a: IPAddress) -> Int? { nodes.firstIndex { n in n.containers.contains { $0.contains(a) } } }
        func planned(_ a: IPAddress) -> Bool { owner(a) != nil || index(of: a) != nil }
        var published: [PublishedPort: (Int, FrameRef)] = [:]
        var serviceSeen: [IPAddress: (Int, FrameRef)] = [:]
        // A source translated to an address of the underlay, towards another host's container:
        // the source is a container of that address's host (Docker's MASQUERADE hides it on the NIC).
        for (t, _) in n.translations.sorted(by: { $0.value.first < $1.value.first }) {
            let (before, after) = (t.first, t.second)
            guard before.source != after.source, owner(before.source) == nil, owner(after.source) == nil,
                  index(of: before.source) == nil, owner(after.destination) != nil,
                  Self.cell(before.source) != Self.cell(after.source) else { continue }
            let i = node(after.source)
            nodes[i].cells.insert(Self.cell(before.source))
            let announced = nodes[i].containers
            nodes[i].containers = Self.subnets(Array(nodes[i].cells)).map { c in announced.first { $0.contains(c.network) } ?? c }
            nodes[i].notes["containers"] = nodes[i].notes["containers"] ?? "container \(before.source) leaves as this host's address, " + cite(1, n.translations[t]!.first)
            if nodes[i].mac == nil, let (mac, _) = arpMAC(of: nodes[i].address) {
                nodes[i].mac = mac
                if let s = scan.arpClaims[InferenceScan.Claim(address: nodes[i].address, mac: mac)] { nodes[i].notes["mac"] = "ARP/ND " + cite(s.count, s.first) }
            }
        }
        // A destination translation A→B and a source translation B→A are the two halves of one
        // conntrack entry; which opened the flow: the one whose packet opened it (SYN, echo
        // request), else the one whose A no NIC claims (a virtual address, a service, cannot
        // send first), else the one seen first in the same capture.
        func claimed(_ a: IPAddress) -> Bool {
            scan.arpClaims.keys.contains { $0.address == a } || scan.sourcedClaims.keys.contains { $0.address == a }
        }
        var dnat: [[Endpoint]: (Translation, TranslationRecord)] = [:]
        for (t, r) in n.translations where t.first.destination != t.second.destination || t.first.destinationPort != t.second.destinationPort {
            dnat[[Endpoint(address: t.second.destination, port: t.second.destinationPort), Endpoint(address: t.first.destination, port: t.first.destinationPort)]] = (t, r)
        }
        func dnatOpened(_ d: (Translation, TranslationRecord), before snat: TranslationRecord) -> Bool {
            if d.1.initiating || snat.initiating { return d.1.initiating }
            if !claimed(d.0.first.destination) { return true }
            // Frames of one file are in time order; frames of two files are not comparable.
            for (a, b) in [(d.1.first, snat.first), (d.1.first, snat.second), (d.1.second, snat.first), (d.1.second, snat.second)]
            where a.capture == b.capture { return a < b }
            return d.1.first < snat.first
        }
        func pairedDNAT(_ t: Translation) -> (Translation, TranslationRecord)? {
            guard t.first.source != t.second.source || t.first.sourcePort != t.second.sourcePort else { return nil }
            return dnat[[Endpoint(address: t.first.source, port: t.first.sourcePort), Endpoint(address: t.second.source, port: t.second.sourcePort)]]
        }
        // Replies to source-NATed flows are translated back: not a published port.
        let replies = Set(n.translations.compactMap { t, r in
            pairedDNAT(t).flatMap { dnatOpened($0, before: r) ? nil : Endpoint(address: t.first.source, port: t.first.sourcePort) }
        })
        for (t, r) in n.translations {
            let (before, after) = (t.first, t.second)
            // The reply of a destination translation that opened the flow leaves with the
            // published address as its source: not masquerade.
            let isDNATReply = pairedDNAT(t).map { dnatOpened($0, before: r) } ?? false
            if before.source != after.source, !isDNATReply, let o = owner(before.source), nodes[o].address == after.source, planned(after.destination) {
                masqCount += r.count
                masq = min(masq ?? r.first, r.first)
            }
            if before.destination != after.destination || before.destinationPort != after.destinationPort,
               owner(after.destination) != nil, !replies.contains(Endpoint(address: after.destination, port: after.destinationPort)),
               let proto: TransportProtocol = before.protocolNumber == 6 ? .tcp : before.protocolNumber == 17 ? .udp : nil {
                if let h = host(before.destination) {
                    let p = PublishedPort(host: "\(h)", port: before.destinationPort, transportProtocol: proto,
                                          to: Endpoint(address: after.destination, port: after.destinationPort))
                    published[p] = ((published[p]?.0 ?? 0) + r.count, min(published[p]?.1 ?? r.first, r.first))
                } else if !planned(before.destination) {
                    serviceSeen[before.destination] = ((serviceSeen[before.destination]?.0 ?? 0) + r.count, min(serviceSeen[before.destination]?.1 ?? r.first, r.first))
                }
            }
        }
        // Only the NICs captured: a packet that opens an exchange with another node's container,
        // leaving a node's MAC with that node's own address as source and a forwarded TTL, was
        // forwarded by it and translated to its address on the way.
        var forwardedOwn: (count: Int, ref: FrameRef, node: IPAddress, ttl: UInt8)?
        for (k, seen) in scan.openingHops.sorted(by: { $0.value.sighting.first < $1.value.sighting.first })
        where !InferenceScan.isInitialTTL(seen.maxTTL) && (claims[k.sourceMAC]?.contains(k.source) ?? false) {
            guard let o = owner(k.destination), !nodes[o].addresses.contains(k.source), owner(k.source) == nil else { continue }
            forwardedOwn = ((forwardedOwn?.count ?? 0) + seen.sighting.count, forwardedOwn?.ref ?? seen.sighting.first, k.source, seen.maxTTL)
        }
        if let masq {
            nat = .masquerade
            notes["nat"] = "container sources translated to their host's address, " + cite(masqCount, masq)
        } else if let f = forwardedOwn {
            nat = .masquerade
            notes["nat"] = "opening packets leave \(f.node)'s NIC with its own address as source and a forwarded TTL (\(f.ttl)): it translated them, " + cite(f.count, f.ref)
        } else if n.translations.isEmpty {
            notes["nat"] = findings.pointCount > 1
                ? "no translation between the capture points (\(n.unchangedMatches) packets matched unchanged)"
                : "one capture point: NAT can be neither proven nor ruled out"
        } else {
            notes["nat"] = "no source NAT between planned parties (\(n.translations.count) other translations, e.g. egress)"
        }
        // Hosts found by their translations only (one per family): one dual-stack node each.
        let publishedAt = published.map { p, v in (nodes[Int(p.host)!].address, p, v) }
        mergeDualStack(cells: Set(nodes.flatMap(\.containers)))
        let publishedHere = publishedAt.map { a, p, v in var p = p; p.host = "\(index(of: a)!)"; return (p, v) }
        for (p, (count, ref)) in publishedHere.sorted(by: { ($0.0.host, $0.0.port) < ($1.0.host, $1.0.port) }) {
            publish.append(p)
            notes["publish[\(publish.count - 1)]"] = "destination NAT seen, " + cite(count, ref)
        }
        for (a, (count, ref)) in serviceSeen.sorted(by: { $0.key < $1.key }) {
            services.append(IPPrefix(address: a, length: a.isV4 ? 32 : 128)!)
            notes["services[\(services.count - 1)]"] = "DNAT to a container, " + cite(count, ref) + "; only this address seen: widen to the service CIDR"
        }
    }

    /// Names nodes (hosts first, by address) and builds the plan.
    mutating func plan(name: String) -> Plan {
        var hosts: [Host] = [], routers: [Router] = []
        let order = nodes.indices.sorted { (nodes[$0].isHost ? 0 : 1, nodes[$0].address) < (nodes[$1].isHost ? 0 : 1, nodes[$1].address) }
        var hostCount = 0, routerCount = 0
        for i in order {
            if nodes[i].isHost {
                hostCount += 1
                nodes[i].name = "host\(hostCount)"
                hosts.append(Host(name: nodes[i].name, addresses: nodes[i].addresses, mac: nodes[i].mac,
                                  containerSubnets: nodes[i].containers, gateway: nodes[i].gateway, asn: nodes[i].asn,
                                  routerID: nodes[i].routerID))
            } else {
                routerCount += 1
                nodes[i].name = "router\(routerCount)"
                routers.append(Router(name: nodes[i].name, address: nodes[i].address, mac: nodes[i].mac))
            }
        }
        if hosts.isEmpty {
            // A plan has at least one host: a placeholder that owns nothing the captures show.
            hosts.append(Host(name: "unknown", address: .v4(IPv4Address(rawValue: 0x7F00_0001)), containers: IPPrefix(address: .v4(IPv4Address(rawValue: 0x7F00_0100)), length: 24)!))
        }
        var planRoutes: [Route]? = nil
        let named = observedRoutes()
        if named.contains(where: { r in hosts.first { h in h.containerSubnets.contains(r.route.to) }.map { !$0.addresses.contains(r.route.via) } ?? true }) {
            planRoutes = named.map(\.route)
        }
        return Plan(name: name, underlay: Underlay(mtu: underlayMTU), hosts: hosts, routers: routers, transport: transport,
                    nat: nat, services: services, publish: publish.map { p in var p = p; p.host = nodes[Int(p.host)!].name; return p },
                    routes: planRoutes, routing: routing)
    }

    func observedRoutes() -> [ObservedRoute] {
        routes.map { r in
            var r = r
            r.route.at = nodes[Int(r.route.at)!].name
            return r
        }.sorted { ($0.route.at, $0.route.to) < ($1.route.at, $1.route.to) }
    }

    mutating func inferred(name: String) -> InferredPlan {
        let plan = plan(name: name)
        var out = InferredPlan(plan: plan, notes: notes, observedRoutes: observedRoutes(), captures: captures)
        out.placeholderHost = !nodes.contains { $0.isHost }
        out.measuredOverheadRatio = measuredOverheadRatio
        out.valuesSeen = valuesSeen
        if out.placeholderHost { out.notes["hosts[0]"] = "not seen: no container host in the captures; a placeholder, replace it" }
        out.extraAnnouncements = extraAnnouncements.map { var a = $0; a.host = nodes[Int(a.host)!].name; return a }
        for n in nodes {
            let prefix = n.isHost ? "hosts[\(plan.hosts.firstIndex { $0.name == n.name } ?? 0)]" : "routers[\(plan.routers.firstIndex { $0.name == n.name } ?? 0)]"
            for (k, v) in n.notes where k != "containers.announced" && k != "bgp" { out.notes["\(prefix).\(k)"] = v }
            if !n.isHost { out.notes["\(prefix)"] = n.notes["bgp"].map { "no container of its own seen; " + $0 } ?? "forwards container traffic but owns no containers" }
        }
        for (i, r) in out.observedRoutes.enumerated() where plan.routes != nil { out.notes["routes[\(i)]"] = r.evidence }
        if plan.routes == nil { out.notes["routes"] = "every next hop seen is the owner's address (\(out.observedRoutes.count) hops)" }
        return out
    }
}
