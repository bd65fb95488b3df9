// Captures of one run are read interleaved by time, each moved by its clock
// offset, estimated from the packets two captures share (contract §2, 1.1).

import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

@Suite struct ClockOffsetTests {
    /// Writes `frames` with their own times (nanoseconds since the epoch).
    static func write(_ frames: [(time: Int64, bytes: [UInt8])], to path: String) throws {
        try Lab.write(frames.map(\.bytes), to: path, times: frames.map(\.time))
    }

    static let t0: Int64 = 1_700_000_000 * 1_000_000_000

    /// host1's bridge (a) and host2's NIC (b, its clock `skew` ahead): 20 echo requests from the
    /// container, masqueraded by host1, and their replies; 100 µs from one point to the other.
    static func run(skew: Int64) throws -> Verdict {
        var a: [(Int64, [UInt8])] = [], b: [(Int64, [UInt8])] = []
        let transit: Int64 = 100_000
        for i in 0..<20 {
            let t = t0 + Int64(i) * 10_000_000
            let request = { (src: String, ttl: UInt8) in Frame.ipv4(src: src, dst: Addr.c2, proto: 1, id: 0x100 + i, ttl: ttl, Frame.icmpEcho(id: 9, seq: i)) }
            let reply = { (dst: String, ttl: UInt8) in Frame.ipv4(src: Addr.c2, dst: dst, proto: 1, id: 0x900 + i, ttl: ttl, Frame.icmpEcho(type: 0, id: 9, seq: i)) }
            a.append((t, Frame.eth(Addr.c1MAC, Addr.bridge1MAC, request(Addr.c1, 64))))
            b.append((t + transit + skew, Frame.eth(Addr.host1MAC, Addr.host2MAC, request(Addr.host1, 63))))
            b.append((t + 1_000_000 + skew, Frame.eth(Addr.host2MAC, Addr.host1MAC, reply(Addr.host1, 63))))
            a.append((t + 1_000_000 + transit, Frame.eth(Addr.bridge1MAC, Addr.c1MAC, reply(Addr.c1, 62))))
        }
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(a, to: dir.appendingPathComponent("a.pcap").path)
        try write(b, to: dir.appendingPathComponent("b.pcap").path)
        var session = VerificationSession(plan: try PlanLoader().load(yaml: planYAML(), path: "plan.yaml"))
        try session.read([CaptureSource(path: dir.appendingPathComponent("a.pcap").path, name: "a.pcap"),
                          CaptureSource(path: dir.appendingPathComponent("b.pcap").path, name: "b.pcap")], threads: 1)
        return session.verdict()
    }

    @Test func aClockNinetySecondsAheadIsFoundAndTheTransitCancels() throws {
        let v = try Self.run(skew: 90_000_000_000)
        let offset = try #require(v.metrics.clockOffsets?.first)
        #expect(offset.capture == "b.pcap")
        #expect(offset.matched == 40)
        // The two directions cross the points in opposite orders: their mean is the offset alone.
        #expect(abs(offset.offsetSeconds + 90) < 1e-6, "\(offset)")
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
    }

    @Test func clocksThatAgreeGiveAnOffsetOfZero() throws {
        let v = try Self.run(skew: 0)
        #expect(abs(try #require(v.metrics.clockOffsets?.first).offsetSeconds) < 1e-6)
    }

    @Test func oneCaptureHasNoOffsets() throws {
        let v = try Lab.verify(plan: planYAML(), frames: [Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.udpPacket(Addr.c1, 5000, Addr.c2, 53))])
        #expect(v.metrics.clockOffsets == nil)
    }
}
