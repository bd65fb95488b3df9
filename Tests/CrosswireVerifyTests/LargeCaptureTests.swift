// Matching across captures of any size: the captures of one run are read
// interleaved by time, so the packet fingerprint table (262,144 entries)
// holds a time window, not the first file.

import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

@Suite struct LargeCaptureTests {
    /// A classic pcap (microseconds, Ethernet) written in one go: `frame(i)` for i in 0..<count, `step` µs apart.
    static func writePcap(to path: String, count: Int, start: Int64, step: Int64, _ frame: (Int) -> [UInt8]) throws {
        var out: [UInt8] = []
        out.reserveCapacity(24 + count * 100)
        func le32(_ v: UInt32) { for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        le32(0xA1B2_C3D4); out += [2, 0, 4, 0]; le32(0); le32(0); le32(262_144); le32(1)
        for i in 0..<count {
            let f = frame(i)
            let micros = start + Int64(i) * step
            le32(UInt32(micros / 1_000_000)); le32(UInt32(micros % 1_000_000)); le32(UInt32(f.count)); le32(UInt32(f.count))
            out += f
        }
        try Data(out).write(to: URL(fileURLWithPath: path))
    }

    /// Two points of 280,000 packets each: host1's bridge and host2's NIC. The first 20 packets
    /// are a connection host1 masquerades; the rest are container datagrams crossing unchanged.
    /// With two threads each file (25 MB) goes round its 8 MiB window while batches hold its frames.
    @Test(arguments: [1, 2])
    func aTranslationAtTheStartOfCapturesLargerThanTheTableIsProven(threads: Int) throws {
        let count = 280_000
        let filler = Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001, payload: [UInt8](repeating: 0x42, count: 32))
        let payloadAt = filler.count - 32
        func packet(_ i: Int, host1Side: Bool) -> [UInt8] {
            if i < 20 {
                let src = host1Side ? Addr.c1 : Addr.host1
                let ip = Frame.tcpPacket(src, 40000, Addr.c2, 80, id: 0x2000 + i, ttl: host1Side ? 64 : 63, seq: UInt32(1000 + i * 100))
                return host1Side ? Frame.eth(Addr.c1MAC, Addr.bridge1MAC, ip) : Frame.eth(Addr.host1MAC, Addr.host2MAC, ip)
            }
            var ip = filler
            // A counter in the payload makes each datagram a packet of its own.
            for k in 0..<4 { ip[payloadAt + k] = UInt8(truncatingIfNeeded: i >> (8 * k)) }
            if !host1Side { ip[8] = 63 }
            return host1Side ? Frame.eth(Addr.c1MAC, Addr.bridge1MAC, ip) : Frame.eth(Addr.host1MAC, Addr.host2MAC, ip)
        }
        let dir = Lab.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.pcap").path, b = dir.appendingPathComponent("b.pcap").path
        let start: Int64 = 1_700_000_000_000_000
        try Self.writePcap(to: a, count: count, start: start, step: 10) { packet($0, host1Side: true) }
        // host2's clock is 90 s ahead; each packet reaches it 50 µs later.
        try Self.writePcap(to: b, count: count, start: start + 90_000_000 + 50, step: 10) { packet($0, host1Side: false) }
        var session = VerificationSession(plan: try PlanLoader().load(yaml: planYAML(), path: "plan.yaml"))
        try session.read([CaptureSource(path: a, name: "a.pcap"), CaptureSource(path: b, name: "b.pcap")], threads: threads)
        let v = session.verdict()
        #expect(v.status(.natSource) == .fail, "\(v.digest)")
        #expect(v[.natSource].summary.contains("192.168.10.2:40000"), "\(v.digest)")
        // A long flow is matched by sample (NATCorrelator.samples): its first packets, then 1 in 16.
        let matched = v[.natSource].observed.compactMap { line -> Int? in
            guard let r = line.range(of: " packets matched across 2 capture points") else { return nil }
            return Int(line[..<r.lowerBound].split(separator: " ").last ?? "")
        }.first
        #expect(matched.map { $0 > count / 20 && $0 < count / 10 } == true, "\(v[.natSource].observed)")
        let offset = try #require(v.metrics.clockOffsets?.first)
        #expect(abs(offset.offsetSeconds + 90.00005) < 1e-6, "\(offset)")
    }
}
