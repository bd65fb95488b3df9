// Two threads: the calling thread reads and decodes, the analysers run on the
// other, fed in batches. Batches of three frames change hands hundreds of times
// a scenario: the verdict must still be the one-thread verdict, to the byte.

import CrosswireDecoder
import CrosswirePlan
@testable import CrosswireVerify
import Dispatch
import Foundation
import Testing

@Suite struct ParallelReadTests {
    @Test(arguments: Repo.scenarios)
    func smallBatchesGiveTheOneThreadVerdict(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        let sources = expected.captures.map { CaptureSource(path: dir.appendingPathComponent($0).path) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var one = VerificationSession(plan: plan)
        try one.read(sources, threads: 1)
        var two = VerificationSession(plan: plan)
        two.batchFrames = 3
        try two.read(sources, threads: 2)
        #expect(two.worker == nil)
        #expect(try encoder.encode(one.verdict()) == encoder.encode(two.verdict()), "\(name)")
    }

    /// A frame larger than a batch's bytes (a pcapng block may hold 16 MiB) travels beside the
    /// batch, its decoded packet in it; the frames around it keep their places and bytes. A
    /// held frame (in a reader's window) stays where it is, the batch holding its packet alone. A frame decoded
    /// and not sent (new to no analyser) leaves nothing behind.
    @Test func aFrameLargerThanABatchReachesTheAnalysers() throws {
        let plan = try PlanLoader().load(contentsOf: Repo.pcaps.appendingPathComponent("10-vxlan-8472/plan.yaml").path)
        let session = VerificationSession(plan: plan)
        let worker = AnalysisWorker(analysers: Analysers(topology: session.topology), batchFrames: 4)
        DispatchQueue.global().async { worker.run() }
        let small = Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001))
        let large = small + [UInt8](repeating: 0x42, count: FrameBatch.maxBytes + 100)
        let unsent = Frame.eth(Addr.c2MAC, Addr.bridge2MAC, Frame.udpPacket(Addr.c2, 6000, Addr.c1, 6001, payload: [UInt8](repeating: 7, count: 900)))
        let held = Frame.eth(Addr.c2MAC, Addr.bridge2MAC, Frame.udpPacket(Addr.c2, 7000, Addr.c1, 7001, payload: [UInt8](repeating: 9, count: 300_000)))
        // Bytes that outlive the read, as a window's do until the worker lets go.
        let lasting = UnsafeMutableRawBufferPointer.allocate(byteCount: held.count, alignment: 16)
        defer { lasting.deallocate() }
        lasting.copyBytes(from: held)
        let frames = [small, large, unsent, held, small, large, unsent, held, held, unsent, small]
        for (n, f) in frames.enumerated() {
            let frame = FrameContext(ref: FrameRef(capture: CaptureID(0), frame: n + 1), time: Timestamp(nanoseconds: Int64(n) * 1000))
            if f == held {
                let raw = UnsafeRawBufferPointer(lasting)
                let slot = worker.slot(count: raw.count, held: true)
                session.decoder.decode(raw.bytes, linkType: .ethernet, originalLength: raw.count, into: slot)
                let packet = PacketView(slot)
                worker.send(frame, to: FrameVisitor.everyAnalyser, packet: packet, bytes: raw.bytes, held: true)
                continue
            }
            f.withUnsafeBytes { raw in
                let slot = worker.slot(count: f.count, held: false)
                session.decoder.decode(raw.bytes, linkType: .ethernet, originalLength: f.count, into: slot)
                let packet = PacketView(slot)
                guard f != unsent else { return }
                worker.send(frame, to: FrameVisitor.everyAnalyser, packet: packet, bytes: raw.bytes, held: false)
            }
        }
        let traffic = worker.finish().traffic.finish()
        let sent = frames.filter { $0 != unsent }
        #expect(traffic.packets == sent.count)
        #expect(traffic.bytes == sent.reduce(0) { $0 + $1.count })
    }
}
