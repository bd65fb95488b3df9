// The verdict: what Crosswire concluded about a network and why. It is the
// JSON of the interface contract (§4) and the input of every report.

import Foundation

/// The tool's version, as `--version` prints it and verdicts record it.
public let crosswireVersion = "0.1.0"

/// A check's outcome.
public enum CheckStatus: String, Codable, Sendable, CaseIterable, Comparable {
    case pass, fail, warn, skip

    /// Severity order used to sort and to combine statuses: fail > warn > pass > skip.
    var severity: Int {
        switch self {
        case .skip: 0
        case .pass: 1
        case .warn: 2
        case .fail: 3
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.severity < b.severity }
}

/// The stable check ids of the contract (§3), in the contract's order.
public enum CheckID: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case planValid = "plan.valid"
    case natSource = "nat.source"
    case natDestination = "nat.destination"
    case encapMode = "encap.mode"
    case encapOverhead = "encap.overhead"
    case encapMTU = "encap.mtu"
    case encapVTEP = "encap.vtep"
    case routeNextHop = "route.nexthop"
    case routeErrors = "route.errors"
    case bgpSession = "bgp.session"
    case bgpRoutes = "bgp.routes"
    case ospfAdjacency = "ospf.adjacency"
    case ospfRoutes = "ospf.routes"
    case arpConflict = "arp.conflict"
    case pathDelivery = "path.delivery"
    case encapChecksum = "encap.checksum"
    case flowAnswered = "flow.answered"
    case routeSymmetry = "route.symmetry"

    /// The id as the contract writes it: `nat.source`.
    public var description: String { rawValue }

    /// What the check verifies, in one line (from the contract).
    public var title: String {
        switch self {
        case .planValid: "the plan is consistent"
        case .natSource: "container sources cross hosts untranslated"
        case .natDestination: "no destination NAT except the published mappings"
        case .encapMode: "the encapsulation seen is the planned one"
        case .encapOverhead: "encapsulation overhead per packet and as a share of bytes"
        case .encapMTU: "no fragmented or oversize tunnel packets, no PMTU trouble"
        case .encapVTEP: "tunnel packets go to the host that owns the inner destination"
        case .routeNextHop: "packets to a container subnet leave towards the planned next hop"
        case .routeErrors: "no ICMP routing errors and no forwarding loops on container traffic"
        case .bgpSession: "BGP sessions open between planned peers with planned ASNs and hold time"
        case .bgpRoutes: "each BGP peer announces exactly its container subnet, itself as next hop"
        case .ospfAdjacency: "OSPF neighbours agree on parameters and reach database exchange"
        case .ospfRoutes: "OSPF advertises the planned container subnets from the planned routers"
        case .arpConflict: "no IP address is claimed by two MAC addresses"
        case .pathDelivery: "packets seen leaving one host arrive at the other host's capture point"
        case .encapChecksum: "received tunnel frames carry right checksums, outer and inner"
        case .flowAnswered: "cross-host container connections are answered"
        case .routeSymmetry: "both directions between two hosts take the same path"
        }
    }
}

/// One frame that supports a check's status.
public struct Evidence: Codable, Sendable, Hashable {
    /// The capture's path as given on the command line.
    public var capture: String
    /// 1-based frame number, as Wireshark numbers it.
    public var frame: Int
    /// What this frame shows.
    public var detail: String
    /// The capture's position in `Verdict.captures` (its `CaptureID`), carried to the
    /// evidence pcap: two captures may have one path. Not in the JSON (nil when read back).
    public var captureIndex: Int?
    /// (1.1) The capture point, `file@interface`, when the capture holds several interfaces.
    public var point: String?

    public init(capture: String, frame: Int, detail: String, captureIndex: Int? = nil, point: String? = nil) {
        self.capture = capture; self.frame = frame; self.detail = detail; self.captureIndex = captureIndex
        self.point = point
    }

    /// Where the frame is, as reports name it: the capture point, else the capture.
    public var place: String { point ?? capture }

    enum CodingKeys: String, CodingKey { case capture, frame, detail, point }
}

/// The result of one check.
public struct CheckResult: Codable, Sendable {
    public var id: CheckID
    public var status: CheckStatus
    /// One line.
    public var summary: String
    /// What the plan led the check to expect (one line; optional).
    public var expected: String?
    /// What was observed, one item per line (e.g. present/missing/extra routes).
    public var observed: [String]
    /// Frames that support the status (bounded; `evidenceOmitted` counts the rest).
    public var evidence: [Evidence]
    public var evidenceOmitted: Int
    /// (1.1) For a `fail` or `warn`: the likely cause and its fix, in one line, in the words of the
    /// setting to change (daemon.json, flannel, Calico, iptables, `ip route`, bird, `ethtool`);
    /// commands in backticks. Nil (left out of the JSON) when nothing reliable can be said.
    public var hint: String?

    public init(
        id: CheckID, status: CheckStatus, summary: String, expected: String? = nil, observed: [String] = [],
        evidence: [Evidence] = [], evidenceOmitted: Int = 0, hint: String? = nil
    ) {
        self.id = id; self.status = status; self.summary = summary; self.expected = expected
        self.observed = observed; self.evidence = evidence; self.evidenceOmitted = evidenceOmitted; self.hint = hint
    }

    enum CodingKeys: String, CodingKey {
        case id, status, summary, expected, observed, evidence, hint
        case evidenceOmitted = "evidence_omitted"
    }
}

/// A capture that was read.
public struct CaptureSummary: Codable, Sendable {
    public var path: String
    /// libpcap's link-type name (`EN10MB`, `LINUX_SLL2` …).
    public var linktype: String
    public var packets: Int
    public var bytes: Int
    /// First and last packet timestamps, seconds since the epoch (nil when empty).
    public var firstTime: Double?
    public var lastTime: Double?
    /// Packets whose decoding stopped on a malformed or cut header.
    public var malformed: Int
    /// Set when reading stopped before the end of the file: the frame where it stopped and why.
    public var incomplete: IncompleteRead?
    /// Frames whose timestamp had an invalid sub-second part (a second or more), normalised
    /// when read; nil (left out of the JSON) when there were none.
    public var invalidTimestamps: Int?
    /// Live captures: packets the kernel or interface dropped (nil for files).
    public var drops: CaptureDrops?
    /// (1.1) Frames above the link MTU that only segmentation offload (GRO/GSO/TSO) produces:
    /// not wire packets, counted and never judged; nil (left out of the JSON) when none.
    public var offloadAggregates: Int?
    /// (1.1) The capture's points, `file@interface`, when it holds several interfaces
    /// (`tcpdump -i any`, a merged pcapng); nil (left out of the JSON) for one.
    public var points: [String]?

    public init(path: String, linktype: String, packets: Int = 0, bytes: Int = 0) {
        self.path = path; self.linktype = linktype; self.packets = packets; self.bytes = bytes
        malformed = 0
    }

    enum CodingKeys: String, CodingKey {
        case path, linktype, packets, bytes, malformed, incomplete, drops, points
        case invalidTimestamps = "invalid_timestamps"
        case offloadAggregates = "offload_aggregates"
        case firstTime = "first_time"
        case lastTime = "last_time"
    }
}

/// Where and why reading a capture stopped early.
public struct IncompleteRead: Codable, Sendable {
    /// The frame that could not be read (1-based).
    public var frame: Int
    public var reason: String
    public init(frame: Int, reason: String) { self.frame = frame; self.reason = reason }
}

/// Drop counters of a live capture (`pcap_stats`).
public struct CaptureDrops: Codable, Sendable {
    public var received: Int
    public var droppedByKernel: Int
    public var droppedByInterface: Int
    public init(received: Int, droppedByKernel: Int, droppedByInterface: Int) {
        self.received = received; self.droppedByKernel = droppedByKernel; self.droppedByInterface = droppedByInterface
    }
    enum CodingKeys: String, CodingKey {
        case received
        case droppedByKernel = "dropped_by_kernel"
        case droppedByInterface = "dropped_by_interface"
    }
}

/// Encapsulation metrics for one tunnel kind (contract §4).
public struct EncapsulationMetric: Codable, Sendable, Equatable {
    /// `vxlan`, `geneve`, `ipip`, `6in4`, `4in6`, `6in6`, `gre`.
    public var kind: String
    /// Inner packets carried (an outer packet split into fragments counts once).
    public var packets: Int
    /// Frames of the tunnel (fragments counted one by one).
    public var frames: Int
    /// Σ frame length over the tunnel's frames.
    public var bytes: Int
    /// Σ frame length − Σ inner packet length.
    public var overheadBytes: Int
    public var overheadBytesPerPacket: Double
    public var overheadRatio: Double

    public init(kind: String, packets: Int, frames: Int, bytes: Int, overheadBytes: Int) {
        self.kind = kind; self.packets = packets; self.frames = frames; self.bytes = bytes
        self.overheadBytes = overheadBytes
        overheadBytesPerPacket = packets > 0 ? Double(overheadBytes) / Double(packets) : 0
        overheadRatio = bytes > 0 ? Double(overheadBytes) / Double(bytes) : 0
    }

    enum CodingKeys: String, CodingKey {
        case kind, packets, frames, bytes
        case overheadBytes = "overhead_bytes"
        case overheadBytesPerPacket = "overhead_bytes_per_packet"
        case overheadRatio = "overhead_ratio"
    }
}

/// Traffic between two planned nodes (or a node and the outside).
public struct HostPairTraffic: Codable, Sendable {
    public var from: String
    public var to: String
    public var packets: Int
    public var bytes: Int
    public init(from: String, to: String, packets: Int, bytes: Int) {
        self.from = from; self.to = to; self.packets = packets; self.bytes = bytes
    }
}

/// Counters over the whole run.
public struct Metrics: Codable, Sendable {
    public var packets: Int
    public var bytes: Int
    public var encapsulation: [EncapsulationMetric]
    public var hostPairs: [HostPairTraffic]
    /// Packets whose decoding stopped on a malformed or cut header, over all captures.
    public var malformed: Int
    /// Entries evicted from bounded tables (flows, fragments, sessions), by table name.
    public var evictions: [String: Int]
    /// (1.1) Per capture after the first that shares packets with another: the offset applied
    /// to its timestamps; nil (left out of the JSON) with one capture or nothing shared.
    public var clockOffsets: [ClockOffset]?

    public init(
        packets: Int = 0, bytes: Int = 0, encapsulation: [EncapsulationMetric] = [], hostPairs: [HostPairTraffic] = [],
        malformed: Int = 0, evictions: [String: Int] = [:]
    ) {
        self.packets = packets; self.bytes = bytes; self.encapsulation = encapsulation; self.hostPairs = hostPairs
        self.malformed = malformed; self.evictions = evictions
    }

    enum CodingKeys: String, CodingKey {
        case packets, bytes, encapsulation, malformed, evictions
        case hostPairs = "host_pairs"
        case clockOffsets = "clock_offsets"
    }
}

extension Verdict {
    /// The clock offset estimated for a capture, if any.
    public func clockOffset(of capture: CaptureSummary) -> ClockOffset? {
        metrics.clockOffsets?.first { $0.capture == capture.path }
    }
}

/// (1.1) A capture's clock offset, estimated from packets it shares with a capture whose
/// offset is known (the first capture's is 0): added to its timestamps, it lines them up.
public struct ClockOffset: Codable, Sendable, Equatable {
    public var capture: String
    public var offsetSeconds: Double
    /// Packets seen in both captures that the estimate rests on.
    public var matched: Int
    /// The largest minus the smallest time difference of those packets.
    public var spreadSeconds: Double

    public init(capture: String, offsetSeconds: Double, matched: Int, spreadSeconds: Double) {
        self.capture = capture; self.offsetSeconds = offsetSeconds; self.matched = matched; self.spreadSeconds = spreadSeconds
    }

    enum CodingKeys: String, CodingKey {
        case capture, matched
        case offsetSeconds = "offset_seconds"
        case spreadSeconds = "spread_seconds"
    }
}

/// A control-plane event worth a line in a timeline (BGP OPEN/UPDATE/NOTIFICATION, OSPF adjacency steps).
public struct ControlEvent: Codable, Sendable {
    public var capture: String
    public var frame: Int
    /// Seconds since the epoch.
    public var time: Double
    /// `bgp` or `ospf`.
    public var proto: String
    /// e.g. `OPEN`, `UPDATE`, `NOTIFICATION`, `Hello`, `DBD`, `LSU`.
    public var kind: String
    public var detail: String
    public init(capture: String, frame: Int, time: Double, proto: String, kind: String, detail: String) {
        self.capture = capture; self.frame = frame; self.time = time; self.proto = proto; self.kind = kind
        self.detail = detail
    }
    enum CodingKeys: String, CodingKey {
        case capture, frame, time, kind, detail
        case proto = "protocol"
    }
}

/// What a route table says about one row, in reading order.
public enum RouteState: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case present, missing, extra
    case wrongNextHop = "wrong-next-hop"
    case withdrawn

    public var description: String { rawValue }
}

/// One row of a present/missing/extra table (BGP announcements, OSPF advertisements and adjacencies).
public struct RouteRow: Codable, Sendable {
    public var state: RouteState
    /// Who announced or should announce it (a plan name or an address).
    public var speaker: String
    public var prefix: String
    public var nextHop: String?
    public var detail: String?
    public init(state: RouteState, speaker: String, prefix: String, nextHop: String? = nil, detail: String? = nil) {
        self.state = state; self.speaker = speaker; self.prefix = prefix; self.nextHop = nextHop; self.detail = detail
    }
    enum CodingKeys: String, CodingKey {
        case state, speaker, prefix, detail
        case nextHop = "next_hop"
    }
}

/// One OSPF link as a capture shows it (RFC 2328 §10): its routers and how far their adjacency got.
public struct OSPFLinkRow: Codable, Sendable, Equatable {
    /// The link's subnet (`192.168.57.0/24`) or `point-to-point`.
    public var link: String
    /// The capture that shows it (file name).
    public var capture: String
    public var routers: [String]
    /// `single router`, `no neighbour listed`, `one-way`, `two-way` (from Hellos), `exchange seen` (DBD from
    /// both), `full exchange seen` (and LS Request, Update or Ack).
    public var state: String
    public var designatedRouter: String?
    public var backupDesignatedRouter: String?
    public var helloInterval: Int?
    public var deadInterval: Int?
    /// The DBD interface MTUs seen on the link (empty when no DBD was seen).
    public var mtus: [Int] = []

    public init(link: String, capture: String, routers: [String], state: String) {
        self.link = link; self.capture = capture; self.routers = routers; self.state = state
    }
    enum CodingKeys: String, CodingKey {
        case link, capture, routers, state, mtus
        case designatedRouter = "dr"
        case backupDesignatedRouter = "bdr"
        case helloInterval = "hello_interval"
        case deadInterval = "dead_interval"
    }
}

/// One BGP session (a pair of peers) over time: its state changes with the frames that made them.
public struct BGPSessionRow: Codable, Sendable, Equatable {
    /// The two ends, by plan name (or address when not planned).
    public var peers: [String]
    /// The addresses the session runs between.
    public var addresses: [String]
    /// The last state the captures show: `established`, `open sent`, `closed`, `up before the capture`, `never up`.
    public var state: String
    public var events: [SessionEvent]

    public struct SessionEvent: Codable, Sendable, Equatable {
        public var capture: String
        public var frame: Int
        /// Seconds since the epoch.
        public var time: Double
        /// The sender of the message (a plan name or an address).
        public var from: String
        /// `OPEN`, `established`, `NOTIFICATION`, `SYN unanswered`, …
        public var event: String
        public var detail: String
        public init(capture: String, frame: Int, time: Double, from: String, event: String, detail: String) {
            self.capture = capture; self.frame = frame; self.time = time; self.from = from; self.event = event; self.detail = detail
        }
    }

    public init(peers: [String], addresses: [String], state: String, events: [SessionEvent]) {
        self.peers = peers; self.addresses = addresses; self.state = state; self.events = events
    }
}

/// Everything Crosswire concluded.
public struct Verdict: Codable, Sendable {
    /// The plan's name.
    public var plan: String
    public var planPath: String
    public var tool: String
    public var captures: [CaptureSummary]
    /// One result for every check id of the contract, in the contract's order.
    public var checks: [CheckResult]
    public var metrics: Metrics
    public var events: [ControlEvent]
    public var bgpRoutes: [RouteRow]
    public var ospfRoutes: [RouteRow]
    public var ospfAdjacencies: [RouteRow]
    /// Per OSPF link: routers, state, DR/BDR, intervals, MTUs (additive to contract v1).
    public var ospfLinks: [OSPFLinkRow] = []
    /// Per BGP session: its state changes over time (additive to contract v1).
    public var bgpSessions: [BGPSessionRow] = []
    /// Wall-clock seconds the analysis took (optional; reports show it, JUnit uses it as `time`).
    public var elapsedSeconds: Double?

    public init(
        plan: String, planPath: String, tool: String = "crosswire", captures: [CaptureSummary] = [],
        checks: [CheckResult] = [], metrics: Metrics = Metrics(), events: [ControlEvent] = [],
        bgpRoutes: [RouteRow] = [], ospfRoutes: [RouteRow] = [], ospfAdjacencies: [RouteRow] = [],
        elapsedSeconds: Double? = nil
    ) {
        self.plan = plan; self.planPath = planPath; self.tool = tool; self.captures = captures; self.checks = checks
        self.metrics = metrics; self.events = events; self.bgpRoutes = bgpRoutes; self.ospfRoutes = ospfRoutes
        self.ospfAdjacencies = ospfAdjacencies; self.elapsedSeconds = elapsedSeconds
    }

    enum CodingKeys: String, CodingKey {
        case plan, tool, captures, checks, metrics, events
        case planPath = "plan_path"
        case bgpRoutes = "bgp_routes"
        case ospfRoutes = "ospf_routes"
        case ospfAdjacencies = "ospf_adjacencies"
        case ospfLinks = "ospf_links"
        case bgpSessions = "bgp_sessions"
        case elapsedSeconds = "elapsed_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        plan = try c.decode(String.self, forKey: .plan)
        planPath = try c.decode(String.self, forKey: .planPath)
        tool = try c.decode(String.self, forKey: .tool)
        captures = try c.decode([CaptureSummary].self, forKey: .captures)
        checks = try c.decode([CheckResult].self, forKey: .checks)
        metrics = try c.decode(Metrics.self, forKey: .metrics)
        events = try c.decode([ControlEvent].self, forKey: .events)
        bgpRoutes = try c.decode([RouteRow].self, forKey: .bgpRoutes)
        ospfRoutes = try c.decode([RouteRow].self, forKey: .ospfRoutes)
        ospfAdjacencies = try c.decode([RouteRow].self, forKey: .ospfAdjacencies)
        // Additive keys: verdicts written before them still read.
        ospfLinks = try c.decodeIfPresent([OSPFLinkRow].self, forKey: .ospfLinks) ?? []
        bgpSessions = try c.decodeIfPresent([BGPSessionRow].self, forKey: .bgpSessions) ?? []
        elapsedSeconds = try c.decodeIfPresent(Double.self, forKey: .elapsedSeconds)
    }

    /// The worst status over all checks (skip when there are none).
    public var overall: CheckStatus { checks.map(\.status).max() ?? .skip }

    /// True when some capture could not be read to its end.
    public var isIncomplete: Bool { captures.contains { $0.incomplete != nil } }

    /// The exit code of the contract (§5): 2 for an incomplete read, 1 when a check failed, else 0.
    public var exitCode: Int32 {
        if isIncomplete { return 2 }
        return overall == .fail ? 1 : 0
    }

    /// The result of one check, if present.
    public func result(_ id: CheckID) -> CheckResult? { checks.first { $0.id == id } }

    /// The verdict as JSON (sorted keys, pretty printed).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
