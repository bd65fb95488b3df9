// The flow fast path (FlowTable.swift) must not change a verdict: every lab
// scenario, every corpus capture and random traffic verify to the same JSON with
// the fast path on and off, on one thread and on two, and with a flow table so
// small that flows are evicted (and credited) all the time.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict
@testable import CrosswireVerify
import Foundation
import Testing

/// One way of reading: threads, fast path, and the flow table's size.
struct ReadMode: CustomStringConvertible {
    var threads: Int
    var fastPath: Bool
    var flowCapacity: Int?
    var description: String { "-j \(threads)\(fastPath ? "" : " --no-fast-path")\(flowCapacity.map { " flows \($0)" } ?? "")" }

    /// Each mode with the oracle it must agree with: every analyser seeing every packet, on one
    /// thread, with a flow table of the same size (NAT's sampling counts packets per flow, and
    /// an evicted flow starts again).
    static let all: [(mode: ReadMode, oracle: ReadMode)] = {
        let oracle = ReadMode(threads: 1, fastPath: false), small = ReadMode(threads: 1, fastPath: false, flowCapacity: 16)
        return [
            (ReadMode(threads: 1, fastPath: true), oracle), (ReadMode(threads: 2, fastPath: false), oracle),
            (ReadMode(threads: 2, fastPath: true), oracle), (ReadMode(threads: 1, fastPath: true, flowCapacity: 16), small),
            (ReadMode(threads: 2, fastPath: true, flowCapacity: 16), small),
        ]
    }()
}

enum FastPath {
    /// The verdict's JSON and the frames no analyser observed.
    static func verify(_ plan: Plan, _ sources: [CaptureSource], _ mode: ReadMode) throws -> (json: String, credited: Int) {
        var session = VerificationSession(plan: plan)
        session.fastPath = mode.fastPath
        if let capacity = mode.flowCapacity { session.flows = FlowTable(capacity: capacity) }
        try session.read(sources, threads: mode.threads)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var json = String(decoding: try encoder.encode(session.verdict()), as: UTF8.self)
        // What the verdict shows only in rare cases: when each capture point's last frame was.
        json += "\nlast frames: \(session.findings().flows.points.map { "\($0.lastTime)" }.joined(separator: " "))"
        return (json, session.flows.credited)
    }

    /// Verifies in every mode; records an issue for each that differs from the oracle. Returns the frames credited.
    @discardableResult
    static func expectSameVerdicts(_ plan: Plan, _ sources: [CaptureSource], _ what: String) throws -> Int {
        var oracles: [Int: String] = [:]
        var credited = 0
        for (mode, oracleMode) in ReadMode.all {
            let key = oracleMode.flowCapacity ?? 0
            if oracles[key] == nil { oracles[key] = try verify(plan, sources, oracleMode).json }
            let (json, n) = try verify(plan, sources, mode)
            credited += n
            let oracle = oracles[key]!
            if json != oracle {
                let a = oracle.split(separator: "\n"), b = json.split(separator: "\n")
                let at = a.indices.first { $0 >= b.count || a[$0] != b[$0] } ?? a.count
                Issue.record("\(what), \(mode): the verdict differs from every analyser seeing every packet, first at line \(at + 1):\n- \(at < a.count ? a[at] : "")\n+ \(at < b.count ? b[at] : "")")
            }
        }
        return credited
    }
}

@Suite struct FastPathTests {
    static let corpus: [String] = {
        var paths: [String] = []
        for part in ["tcpdump", "generated"] {
            let dir = Repo.root.appendingPathComponent("Tests/Corpus/\(part)/pcaps")
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] { paths.append(dir.appendingPathComponent(name).path) }
        }
        return paths.sorted()
    }()

    @Test(arguments: Repo.scenarios)
    func scenarioVerdictsAreTheSame(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        try FastPath.expectSameVerdicts(plan, expected.captures.map { CaptureSource(path: dir.appendingPathComponent($0).path) }, name)
    }

    /// Every corpus capture alone, under a VXLAN plan and a masquerade plan.
    @Test(arguments: ["10-vxlan-8472", "02-static-masquerade"])
    func corpusVerdictsAreTheSame(_ planName: String) throws {
        let plan = try PlanLoader().load(contentsOf: Repo.pcaps.appendingPathComponent("\(planName)/plan.yaml").path)
        #expect(Self.corpus.count > 100)
        var credited = 0
        for path in Self.corpus where (try? CaptureFileReader(path: path)) != nil {
            credited += try FastPath.expectSameVerdicts(plan, [CaptureSource(path: path)], "\(planName): \(path)")
        }
        // Not vacuous: the fast path took part.
        #expect(credited > 500)
    }

    /// What an analyser works out once per flow (`flowFact`) holds for every packet of the flow:
    /// over every lab and corpus capture, each packet of a flow gives every analyser the answer
    /// the flow's first packet gave.
    @Test(arguments: ["10-vxlan-8472", "02-static-masquerade"])
    func flowFactsHoldForEveryPacketOfAFlow(_ planName: String) throws {
        let plan = try PlanLoader().load(contentsOf: Repo.pcaps.appendingPathComponent("\(planName)/plan.yaml").path)
        var session = VerificationSession(plan: plan)
        let point = CapturePointID(index: 0)
        var compared = 0, withFacts = 0, differing: [String] = []
        let lab = Repo.scenarios.flatMap { name in
            ((try? FileManager.default.contentsOfDirectory(atPath: Repo.pcaps.appendingPathComponent(name).path)) ?? [])
                .filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.map { Repo.pcaps.appendingPathComponent("\(name)/\($0)").path }
        }
        for path in Self.corpus + lab {
            guard var reader = try? CaptureFileReader(path: path) else { continue }
            let linkType = reader.linkType
            var firsts: [UInt64: UInt64] = [:]
            try? reader.forEachFrame { info, bytes in
                let p = session.packet.decode(bytes, by: session.decoder, linkType: linkType, originalLength: info.originalLength)
                guard let key = FlowKey.of(p, point: point) else { return true }
                var frame = FrameContext(ref: FrameRef(capture: CaptureID(0), frame: info.number, point: point), time: Timestamp(info))
                frame.flow = FlowSighting(position: 1, innermostIPLevel: p.innermostIPLevel)
                var asking = FactVisitor()
                session.analysers.forEach(&asking, packet: p, bytes: bytes, frame: frame)
                guard let first = firsts[key] else {
                    firsts[key] = asking.facts
                    if asking.facts != 0 { withFacts += 1 }
                    return true
                }
                compared += 1
                if first != asking.facts, differing.count < 5 {
                    differing.append("\(path) frame \(info.number): facts \(String(asking.facts, radix: 2)), its flow's first packet \(String(first, radix: 2))")
                }
                return true
            }
        }
        #expect(differing.isEmpty, "\(differing.joined(separator: "\n"))")
        // Not vacuous: many packets of known flows, and flows with facts.
        #expect(compared > 5000)
        #expect(withFacts > 100)
    }

    /// DeliveryAnalyser keeps each flow slot's class: a new flow in the slot (position 1) gets
    /// its own, not the class of the flow it replaced.
    @Test func aNewFlowInAFlowSlotGetsItsOwnDeliveryClass() throws {
        let plan = try PlanLoader().load(yaml: planYAML(), path: "plan.yaml")
        var delivery = DeliveryAnalyser(topology: Topology(plan: plan))
        let decoder = PacketDecoder(options: DecoderOptions()), buffer = DecodedPacketBuffer()
        func ping(_ k: Int) -> [UInt8] {
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: k, ttl: 63, Frame.icmpEcho(id: 9, seq: k)))
        }
        func datagram(_ k: Int) -> [UInt8] { Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.udpPacket(Addr.c1, 4000, Addr.c2, 53, id: k)) }
        // A ping flow, then a UDP flow in the same slot, two packets each.
        for (k, bytes) in [ping(1), ping(2), datagram(3), datagram(4)].enumerated() {
            bytes.withUnsafeBytes { raw in
                let p = buffer.decode(raw.bytes, by: decoder, linkType: .ethernet, originalLength: raw.count)
                let point = CapturePointID(index: 0)
                var frame = FrameContext(ref: FrameRef(capture: CaptureID(0), frame: k + 1, point: point), time: Timestamp(nanoseconds: Int64(k) * 1000))
                frame.flow = FlowSighting(position: UInt32(k % 2 + 1), innermostIPLevel: p.innermostIPLevel, slot: 3)
                delivery.observe(p, bytes: raw.bytes, frame: frame)
            }
        }
        #expect(delivery.finish().classes.map(\.protocolNumber) == [1, 17])
    }

    /// ChecksumAnalyser keeps each flow slot's sender: a new flow in the slot from another
    /// host is counted for that host.
    @Test func aNewFlowInAFlowSlotGetsItsOwnChecksumSender() throws {
        let session = VerificationSession(plan: try PlanLoader().load(yaml: planYAML(mode: "vxlan"), path: "plan.yaml"))
        var checksums = ChecksumAnalyser(topology: session.topology)
        func tunnelled(from host1: Bool, _ k: Int) -> [UInt8] {
            let inner = Frame.eth(Addr.c1MAC, Addr.c2MAC, Frame.udpPacket(Addr.c1, 4000, Addr.c2, 53, id: k))
            return host1 ? Frame.vxlanFrame(id: k, inner)
                : Frame.vxlanFrame(outerSrc: Addr.host2, outerDst: Addr.host1, srcMAC: Addr.host2MAC, dstMAC: Addr.host1MAC, id: k, inner)
        }
        // A flow from host1, then one from host2 in the same slot, two packets each.
        for (k, bytes) in [tunnelled(from: true, 1), tunnelled(from: true, 2), tunnelled(from: false, 3), tunnelled(from: false, 4)].enumerated() {
            bytes.withUnsafeBytes { raw in
                let p = session.packet.decode(raw.bytes, by: session.decoder, linkType: .ethernet, originalLength: raw.count)
                let point = CapturePointID(index: 0)
                var frame = FrameContext(ref: FrameRef(capture: CaptureID(0), frame: k + 1, point: point), time: Timestamp(nanoseconds: Int64(k) * 1000))
                frame.flow = FlowSighting(position: UInt32(k % 2 + 1), innermostIPLevel: p.innermostIPLevel, slot: 3)
                checksums.observe(p, bytes: raw.bytes, frame: frame)
            }
        }
        #expect(checksums.finish().bySender.map(\.judged) == [2, 2])
    }

    /// Random traffic between two hosts' containers seen inside host1 and on the wire.
    @Test(arguments: 0..<24)
    func randomFlowsGiveTheSameVerdicts(_ seed: UInt64) throws {
        var traffic = RandomTraffic(seed: seed)
        let captures = traffic.captures()
        let plan = try PlanLoader().load(yaml: planYAML(mode: seed % 2 == 0 ? "vxlan" : "routed", nat: seed % 3 == 0 ? "masquerade" : "none", transport: ["mtu: 1450"]), path: "plan.yaml")
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var sources: [CaptureSource] = []
        for c in captures {
            let path = dir.appendingPathComponent(c.name).path
            try Lab.write(c.frames, to: path)
            sources.append(CaptureSource(path: path, name: c.name))
        }
        let credited = try FastPath.expectSameVerdicts(plan, sources, "seed \(seed)")
        #expect(credited > 100, "seed \(seed): the fast path took part")
    }
}

extension SplitMix64: RandomNumberGenerator {}

/// Flows between host1's and host2's containers: TCP (handshake, data, resent large segments,
/// FIN or RST), UDP and pings; each seen inside host1 (`a.pcap`) and on the wire (`b.pcap`), where
/// it may be in VXLAN, source-NATed, routed (TTL − 1), dropped, oversize, or seen twice with two TTLs.
struct RandomTraffic {
    var rng: SplitMix64
    init(seed: UInt64) { rng = SplitMix64(seed: seed &* 7919 &+ 1) }

    struct Flow {
        var proto: UInt8
        var client: (ip: String, port: Int)
        var server: (ip: String, port: Int)
        var vxlan: Bool
        var nat: Bool
        var seq: UInt32 = 1000
        var ack: UInt32 = 5000
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) } }

    /// One packet of `flow` as IP, from the client when `up`.
    mutating func packet(_ f: inout Flow, up: Bool, flags: TCPFlags, size: Int, ttl: UInt8, id: Int) -> [UInt8] {
        let (a, b) = up ? (f.client, f.server) : (f.server, f.client)
        let payload = bytes(size)
        let l4: [UInt8]
        switch f.proto {
        case 6:
            l4 = Frame.tcp(sp: a.port, dp: b.port, seq: up ? f.seq : f.ack, ack: up ? f.ack : f.seq, flags: flags, payload)
            if up { f.seq &+= UInt32(size) } else { f.ack &+= UInt32(size) }
        case 17: l4 = Frame.udp(sp: a.port, dp: b.port, payload)
        default: l4 = Frame.icmpEcho(type: up ? 8 : 0, id: f.client.port, seq: id & 0xFFFF, payload)
        }
        return Frame.ipv4(src: a.ip, dst: b.ip, proto: f.proto, id: id, ttl: ttl, df: true, l4)
    }

    /// The packet on the wire: translated, routed, maybe tunnelled.
    func onTheWire(_ ip: [UInt8], _ f: Flow, up: Bool) -> [UInt8] {
        var p = ip
        p[8] &-= 1  // routed: TTL − 1 (the checksum is not checked)
        if f.nat && up { p.replaceSubrange(12..<16, with: ip4(Addr.host1)) }
        if f.vxlan {
            let inner = Frame.eth(up ? Addr.c1MAC : Addr.c2MAC, up ? Addr.c2MAC : Addr.c1MAC, p)
            return up ? Frame.vxlanFrame(inner) : Frame.vxlanFrame(outerSrc: Addr.host2, outerDst: Addr.host1, srcMAC: Addr.host2MAC, dstMAC: Addr.host1MAC, inner)
        }
        return Frame.eth(up ? Addr.host1MAC : Addr.host2MAC, up ? Addr.routerMAC : Addr.host1MAC, p)
    }

    mutating func captures() -> [Capture] {
        var flows: [Flow] = []
        for i in 0..<Int.random(in: 2...6, using: &rng) {
            let proto: UInt8 = i == 0 ? 6 : [6, 6, 17, 1].randomElement(using: &rng)!
            flows.append(Flow(
                proto: proto, client: ("192.168.10.\(2 + i % 3)", 40000 + i), server: ("192.168.20.\(2 + i % 2)", [80, 443, 5201].randomElement(using: &rng)!),
                vxlan: chance(0.5), nat: chance(0.3)))
        }
        // Each flow's packets in order; flows interleaved at random.
        var queues: [[(ip: [UInt8], up: Bool, flow: Int)]] = []
        for k in flows.indices {
            var q: [(ip: [UInt8], up: Bool, flow: Int)] = []
            let n = Int.random(in: 40...200, using: &rng)
            var id = Int.random(in: 0...0xFFFF, using: &rng)
            for j in 0..<n {
                let up = j == 0 || chance(0.6)
                var flags: TCPFlags = [.ack]
                if j == 0 { flags = .syn } else if j == 1 { flags = [.syn, .ack] } else if j == n - 1 { flags = chance(0.5) ? [.fin, .ack] : .rst }
                if chance(0.5) { flags.insert(.psh) }
                let size = chance(0.1) ? [1400, 1460, 3000].randomElement(using: &rng)! : Int.random(in: 0...120, using: &rng)
                let ttl: UInt8 = chance(0.05) ? 63 : 64
                id = (id + 1) & 0xFFFF
                let ip = packet(&flows[k], up: j == 1 ? false : up, flags: flags, size: flows[k].proto == 6 && (j < 2 || j == n - 1) ? 0 : size, ttl: ttl, id: id)
                let times = size > 576 && chance(0.3) ? Int.random(in: 2...4, using: &rng) : 1  // a resent large segment
                for r in 0..<times {
                    var copy = ip
                    if r > 0 { copy[5] &+= UInt8(r) }  // a resend is a new IPv4 packet: a new id
                    q.append((copy, j == 1 ? false : up, k))
                }
            }
            queues.append(q)
        }
        var a: [[UInt8]] = [], b: [[UInt8]] = []
        while !queues.allSatisfy(\.isEmpty) {
            let k = queues.indices.filter { !queues[$0].isEmpty }.randomElement(using: &rng)!
            let (ip, up, f) = queues[k].removeFirst()
            let inside = Frame.eth(up ? Addr.c1MAC : Addr.bridge1MAC, up ? Addr.bridge1MAC : Addr.c1MAC, ip)
            if chance(0.92) { a.append(inside) }
            if chance(0.9) { b.append(onTheWire(ip, flows[f], up: up)) }
            if chance(0.01) { b.append(onTheWire(ip, flows[f], up: up)) }  // seen twice on the wire
        }
        return [Capture("a.pcap", a), Capture("b.pcap", b)]
    }
}
