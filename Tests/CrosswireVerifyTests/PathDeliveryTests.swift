// path.delivery (docs/CHECKS.md): packets between hosts seen at one capture
// point of a wire and never at another that watches that wire and was capturing.

import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

@Suite struct PathDeliveryTests {
    static let start: Int64 = 1_700_000_000 * 1_000_000_000
    static let step: Int64 = 100_000_000   // 100 ms

    /// Echo request `k` from host1's container to host2's, on the wire from host1's NIC to host2's.
    func request(_ k: Int) -> [UInt8] {
        Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: k, ttl: 63, Frame.icmpEcho(id: 9, seq: k)))
    }

    func reply(_ k: Int) -> [UInt8] {
        Frame.eth(Addr.host2MAC, Addr.host1MAC, Frame.ipv4(src: Addr.c2, dst: Addr.c1, proto: 1, id: 0x4000 + k, ttl: 63, Frame.icmpEcho(type: 0, id: 9, seq: k)))
    }

    /// Requests and replies every `step` (100 ms) over `n` rounds: (frame, time, round, is request).
    func exchange(_ n: Int, step: Int64 = Self.step) -> [(frame: [UInt8], time: Int64, round: Int, request: Bool)] {
        var out: [(frame: [UInt8], time: Int64, round: Int, request: Bool)] = []
        for k in 0..<n {
            let t: Int64 = Self.start + Int64(k) * step
            out.append((request(k), t, k, true))
            out.append((reply(k), t + 1_000_000, k, false))
        }
        return out
    }

    func capture(_ name: String, _ items: [(frame: [UInt8], time: Int64, round: Int, request: Bool)], delay: Int64 = 0) -> Capture {
        Capture(name, items.map(\.frame), times: items.map { $0.time + delay })
    }

    @Test func packetsSeenAtOneEndOnlyAreLost() throws {
        let all = exchange(30)
        let lost: Set<Int> = [10, 20]
        // host2's NIC sees the packets 50 µs later; requests 10 and 20 never arrive.
        let atHost2 = all.filter { !($0.request && lost.contains($0.round)) }
        let v = try Lab.verify(plan: planYAML(), [capture("a.pcap", all), capture("b.pcap", atHost2, delay: 50_000)])
        #expect(v.status(.pathDelivery) == .fail, "\(v.digest)")
        #expect(v[.pathDelivery].summary.hasPrefix("host1 → host2: 2 of "), "\(v[.pathDelivery].summary)")
        #expect(v[.pathDelivery].summary.contains("seen at a.pcap never reached b.pcap"))
        // The lost requests at the sending end: frames 21 and 41 of a.pcap (request k is frame 2k + 1).
        #expect(v.cited(.pathDelivery) == [Cite("a.pcap", 21), Cite("a.pcap", 41)])
        #expect(v[.pathDelivery].hint != nil)
    }

    /// The same loss with the two captures named the other way round: still host1's point is upstream.
    @Test func theSendersEndIsFoundWhicheverCaptureComesFirst() throws {
        let all = exchange(30)
        let atHost2 = all.filter { !($0.request && $0.round == 10) }
        let v = try Lab.verify(plan: planYAML(), [capture("b.pcap", atHost2, delay: 50_000), capture("a.pcap", all)])
        #expect(v[.pathDelivery].summary.contains("seen at a.pcap never reached b.pcap"), "\(v[.pathDelivery].summary)")
    }

    /// host2's capture starts 1.2 s late and stops 1 s early: what it could not see is not lost.
    @Test func aCaptureThatStartedLateOrStoppedEarlyLosesNothing() throws {
        let all = exchange(40)
        let window = all.filter { $0.round >= 12 && $0.round < 30 }
        let v = try Lab.verify(plan: planYAML(), [capture("a.pcap", all), capture("b.pcap", window, delay: 50_000)])
        #expect(v.status(.pathDelivery) == .pass, "\(v.digest)")
    }

    @Test func lossWithinMaxLossPasses() throws {
        let all = exchange(30)
        let atHost2 = all.filter { !($0.request && $0.round == 10) }
        let v = try Lab.verify(
            plan: planYAML(transport: ["max_loss: 0.1"]), [capture("a.pcap", all), capture("b.pcap", atHost2, delay: 50_000)])
        #expect(v.status(.pathDelivery) == .pass, "\(v.digest)")
        #expect(v[.pathDelivery].summary.contains("within transport.max_loss 10.00%"), "\(v[.pathDelivery].summary)")
    }

    /// Everything from host1 dropped on the way: host2's point still watches that wire, since it
    /// sees the other direction, so all of it is lost.
    @Test func everythingDroppedOneWayIsLost() throws {
        let all = exchange(20)
        let v = try Lab.verify(plan: planYAML(), [capture("a.pcap", all), capture("b.pcap", all.filter { !$0.request }, delay: 50_000)])
        #expect(v.status(.pathDelivery) == .fail, "\(v.digest)")
        // Judged: the requests host2's capture covers with 0.5 s on each side (rounds 6 to 14).
        #expect(v[.pathDelivery].summary.hasPrefix("host1 → host2: 9 of 9 packets"), "\(v[.pathDelivery].summary)")
    }

    /// GRO merges TCP segments at the receiving end: segments with data are never matched.
    @Test func tcpDataSegmentsAreNotJudged() throws {
        let data = (0..<20).map { k in
            Frame.eth(Addr.host1MAC, Addr.host2MAC, Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 100 + k, ttl: 63, seq: UInt32(1000 + 100 * k), flags: [.ack], payload: Array(repeating: 0x41, count: 100)))
        }
        let times = (0..<20).map { Self.start + Int64($0) * Self.step }
        let all = exchange(20)
        let v = try Lab.verify(plan: planYAML(), [
            Capture("a.pcap", all.map(\.frame) + data, times: all.map(\.time) + times),
            capture("b.pcap", all, delay: 50_000),
        ])
        #expect(v.status(.pathDelivery) == .pass, "\(v.digest)")
    }

    /// Two points on two different wires (a container bridge and a NIC) are never compared.
    @Test func pointsOnDifferentWiresAreNotCompared() throws {
        let all = exchange(20)
        let onBridge = all.filter(\.request).map { r in
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: r.round, ttl: 64, Frame.icmpEcho(id: 9, seq: r.round)))
        }
        let v = try Lab.verify(plan: planYAML(), [
            Capture("br0.pcap", onBridge, times: all.filter(\.request).map(\.time)),
            capture("eth0.pcap", all.filter { $0.round % 2 == 0 }),
        ])
        #expect(v.status(.pathDelivery) == .skip, "\(v.digest)")
    }

    /// Of several kinds of traffic between the hosts, the summary names the one that lost packets.
    @Test func theKindOfTrafficThatLostIsNamed() throws {
        func tunnelled(_ k: Int, back: Bool) -> [UInt8] {
            let inner = back
                ? Frame.ethernet(src: Addr.c2MAC, dst: Addr.c1MAC, Frame.ipv4(src: Addr.c2, dst: Addr.c1, proto: 1, id: 0x500 + k, Frame.icmpEcho(type: 0, id: 5, seq: k)))
                : Frame.ethernet(src: Addr.c1MAC, dst: Addr.c2MAC, Frame.ipv4(src: Addr.c1, dst: Addr.c2, proto: 1, id: 0x300 + k, Frame.icmpEcho(id: 5, seq: k)))
            return back
                ? Frame.vxlanFrame(outerSrc: Addr.host2, outerDst: Addr.host1, srcMAC: Addr.host2MAC, dstMAC: Addr.host1MAC, id: 0x700 + k, inner)
                : Frame.vxlanFrame(id: 0x600 + k, inner)
        }
        var a: [[UInt8]] = [], b: [[UInt8]] = [], ta: [Int64] = [], tb: [Int64] = []
        for k in 0..<20 {
            let t = Self.start + Int64(k) * Self.step
            for (frame, dt, arrives) in [(request(k), Int64(0), true), (tunnelled(k, back: false), 10_000_000, false), (tunnelled(k, back: true), 20_000_000, true)] {
                a.append(frame); ta.append(t + dt)
                if arrives { b.append(frame); tb.append(t + dt + 50_000) }
            }
        }
        let v = try Lab.verify(plan: vxlanPlan, [Capture("a.pcap", a, times: ta), Capture("b.pcap", b, times: tb)])
        #expect(v.status(.pathDelivery) == .fail, "\(v.digest)")
        #expect(v[.pathDelivery].summary.contains("(33.33%, 10 of 10 VXLAN (UDP 8472))"), "\(v[.pathDelivery].summary)")
    }

    /// After the lost ping, only TCP data flows: the fast path hands it to no analyser, so the
    /// far point's capture is known to go on only through the flow's credit. Same verdict either way.
    @Test func aPointCoveredOnlyByCreditedFramesStillJudges() throws {
        var a: [[UInt8]] = [], b: [[UInt8]] = [], ta: [Int64] = [], tb: [Int64] = []
        for k in 0..<3 {
            let t = Self.start + Int64(k) * 500_000_000
            a.append(request(k)); ta.append(t)
            if k != 2 { b.append(request(k)); tb.append(t + 50_000) }
        }
        for k in 0..<40 {
            let segment = Frame.eth(
                Addr.host1MAC, Addr.host2MAC,
                Frame.tcpPacket(Addr.c1, 40000, Addr.c2, 80, id: 200 + k, ttl: 63, seq: UInt32(1000 + 100 * k), flags: [.ack], payload: Array(repeating: 0x41, count: 100)))
            let t = Self.start + 1_100_000_000 + Int64(k) * 50_000_000
            a.append(segment); ta.append(t)
            b.append(segment); tb.append(t + 50_000)
        }
        let v = try Lab.verify(plan: planYAML(), [Capture("a.pcap", a, times: ta), Capture("b.pcap", b, times: tb)])
        #expect(v.status(.pathDelivery) == .fail, "\(v.digest)")
        #expect(v[.pathDelivery].summary.hasPrefix("host1 → host2: 1 of 3 packets"), "\(v[.pathDelivery].summary)")
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = [dir.appendingPathComponent("a.pcap").path, dir.appendingPathComponent("b.pcap").path]
        try Lab.write(a, to: paths[0], times: ta)
        try Lab.write(b, to: paths[1], times: tb)
        let plan = try PlanLoader().load(yaml: planYAML(), path: "plan.yaml")
        try FastPath.expectSameVerdicts(plan, paths.map { CaptureSource(path: $0) }, "ping lost, then TCP data")
    }

    /// 500 rounds a second for 0.6 s, then 5,000 a second for 0.8 s, 100 ms from one end to the
    /// other each way: the ring of waiting packets grows from 1,024 slots while thousands wait
    /// for their window to pass, hundreds of them for their sighting at the other end, after
    /// the first ones left (its packets move). The two lost are the ones named (sent 0.8 and 0.9 s
    /// in, where b.pcap covers 0.5 s each side).
    @Test func manyPacketsWaitingAtOnce() throws {
        let transit: Int64 = 100_000_000
        var a: [(frame: [UInt8], time: Int64, round: Int, request: Bool)] = []
        var b = a
        var t = Self.start, k = 0
        let lost: Set<Int> = [1300, 1800]
        while t < Self.start + 1_400_000_000 {
            a.append((request(k), t, k, true))
            if !lost.contains(k) { b.append((request(k), t + transit, k, true)) }
            b.append((reply(k), t + transit + 10_000, k, false))
            a.append((reply(k), t + 2 * transit + 10_000, k, false))
            t += t < Self.start + 600_000_000 ? 2_000_000 : 200_000
            k += 1
        }
        a.sort { $0.time < $1.time }
        let v = try Lab.verify(plan: planYAML(), [capture("a.pcap", a), capture("b.pcap", b)])
        #expect(v[.pathDelivery].summary.hasPrefix("host1 → host2: 2 of "), "\(v[.pathDelivery].summary)")
        let lostFrames = lost.sorted().map { k in Cite("a.pcap", a.firstIndex { $0.round == k && $0.request }! + 1) }
        #expect(v.cited(.pathDelivery) == lostFrames)
    }

    @Test func onePointIsSkipped() throws {
        let v = try Lab.verify(plan: planYAML(), [capture("a.pcap", exchange(10))])
        #expect(v.status(.pathDelivery) == .skip, "\(v.digest)")
    }

    /// host2's NIC (interface 2) enslaved to its bridge (3), captured as one file: each frame is
    /// seen on both, with the same MACs, so one file holds two points of one wire. Request 10
    /// reached the NIC and never the bridge.
    func bridgedExchange() -> (frames: [(interface: UInt32, bytes: [UInt8])], times: [Int64]) {
        var frames: [(interface: UInt32, bytes: [UInt8])] = [], times: [Int64] = []
        for item in exchange(30) {
            let order: [UInt32] = item.request ? [2, 3] : [3, 2]
            for (n, interface) in order.enumerated() where !(item.request && item.round == 10 && interface == 3) {
                frames.append((interface, item.frame))
                times.append(item.time + Int64(n) * 20_000)
            }
        }
        return (frames, times)
    }

    /// Reads one capture as `crosswire verify` does, with `threads` threads.
    func verifyAlone(_ path: String, threads: Int) throws -> Verdict {
        var session = VerificationSession(plan: try PlanLoader().load(yaml: planYAML(), path: "plan.yaml"))
        try session.read([CaptureSource(path: path, name: "any")], threads: threads)
        return session.verdict()
    }

    /// One file of two interfaces is judged, as two files are: `tcpdump -i any` (SLL2
    /// interface indexes) and a merged pcapng (interface ids). Not one point, though one capture.
    @Test(arguments: [1, 2]) func oneCaptureOfTwoInterfacesIsJudged(threads: Int) throws {
        let (frames, times) = bridgedExchange()
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let any = dir.appendingPathComponent("any.pcap").path
        let sll2 = frames.map { f in
            let ip = Array(f.bytes.dropFirst(14))
            let source = Array(f.bytes[6..<12]) == mac(Addr.host1MAC) ? Addr.host1MAC : Addr.host2MAC
            return CapturePointTests.sll2(ifindex: f.interface, source: source, ip)
        }
        try Lab.write(sll2, to: any, linkType: .linuxSLL2, times: times)
        let merged = dir.appendingPathComponent("merged.pcapng").path
        try Pcapng.write(frames.map { ($0.interface - 2, $0.bytes) }, interfaces: 2, to: merged, times: times)
        for path in [any, merged] {
            let v = try verifyAlone(path, threads: threads)
            #expect(v.status(.pathDelivery) == .fail, "\(path): \(v.digest)")
            #expect(v[.pathDelivery].summary.hasPrefix("host1 → host2: 1 of "), "\(path): \(v[.pathDelivery].summary)")
        }
    }

    /// One classic pcap of one link without interface names has one point: no packet is new to
    /// delivery (so none goes to the analysers for it alone), and the check is skipped as before.
    @Test func oneClassicCaptureAsksDeliveryForNothing() throws {
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.pcap").path, b = dir.appendingPathComponent("b.pcap").path
        let all = exchange(30)
        try Lab.write(all.map(\.frame), to: a, times: all.map(\.time))
        try Lab.write(all.map(\.frame), to: b, times: all.map { $0.time + 50_000 })
        func census(_ paths: [String]) throws -> (newToDelivery: Int, verdict: Verdict) {
            var session = VerificationSession(plan: try PlanLoader().load(yaml: planYAML(), path: "plan.yaml"))
            session.census = InterestCensus()
            try session.read(paths.map { CaptureSource(path: $0) }, threads: 1)
            let census = try #require(session.census)
            let delivery = try #require(census.names.firstIndex(of: "DeliveryAnalyser"))
            return (census.newTo[delivery], session.verdict())
        }
        let alone = try census([a])
        #expect(alone.newToDelivery == 0)
        #expect(alone.verdict.status(.pathDelivery) == .skip, "\(alone.verdict.digest)")
        let both = try census([a, b])
        #expect(both.newToDelivery > 0)
        #expect(both.verdict.status(.pathDelivery) == .pass, "\(both.verdict.digest)")
    }
}
