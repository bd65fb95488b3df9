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
        let worker = AnalysisWorker(analysers: Analysers(topology: session.topology), templates: session.templates, batchFrames: 4)
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
                worker.send(frame, to: FrameVisitor.everyAnalyser, packet: packet, bytes: raw.bytes, held: true, decoded: FrameDecode(originalLength: raw.count))
                continue
            }
            f.withUnsafeBytes { raw in
                let slot = worker.slot(count: f.count, held: false)
                session.decoder.decode(raw.bytes, linkType: .ethernet, originalLength: f.count, into: slot)
                let packet = PacketView(slot)
                guard f != unsent else { return }
                worker.send(frame, to: FrameVisitor.everyAnalyser, packet: packet, bytes: raw.bytes, held: false, decoded: FrameDecode(originalLength: f.count))
            }
        }
        let traffic = worker.finish().traffic.finish()
        let sent = frames.filter { $0 != unsent }
        #expect(traffic.packets == sent.count)
        #expect(traffic.bytes == sent.reduce(0) { $0 + $1.count })
    }

    /// A steady frame goes to the worker as its template's way alone, decoded there from the
    /// worker's `TemplateMirror`. A template learned from a frame that was not sent (new to no
    /// analyser) is not in the mirror: the first frame sent from it carries its packet, and the
    /// mirror keeps it (a frame sent as a way the mirror lacks stops the worker).
    @Test func aTemplateLearnedFromAFrameNotSentReachesTheWorker() throws {
        let plan = try PlanLoader().load(contentsOf: Repo.pcaps.appendingPathComponent("10-vxlan-8472/plan.yaml").path)
        let session = VerificationSession(plan: plan)
        let templates = HeaderTemplates()
        let worker = AnalysisWorker(analysers: Analysers(topology: session.topology), templates: templates, batchFrames: 2)
        DispatchQueue.global().async { worker.run() }
        let frames = (0..<7).map { n in
            Frame.eth(Addr.c1MAC, Addr.bridge1MAC, Frame.udpPacket(Addr.c1, 5000, Addr.c2, 5001, payload: [UInt8](repeating: 7, count: 100 + 50 * n)))
        }
        var fromTemplates = 0
        for (n, f) in frames.enumerated() {
            let frame = FrameContext(ref: FrameRef(capture: CaptureID(0), frame: n + 1), time: Timestamp(nanoseconds: Int64(n) * 1000))
            f.withUnsafeBytes { raw in
                var decoded = FrameDecode(originalLength: f.count)
                // Frames 0 and 3 make the template (the second replaces the first); neither is sent.
                if n == 0 || n == 3 {
                    let slot = worker.slot(count: f.count, held: false)
                    session.decoder.decode(raw.bytes, linkType: .ethernet, originalLength: f.count, into: slot)
                    decoded.learned = templates.learn(raw.bytes, linkType: .ethernet, context: 1, packet: slot, flow: 9, bgpPort: 179) ?? -1
                    #expect(decoded.learned >= 0)
                    worker.learned(way: decoded.learned)
                    return
                }
                let found = templates.decode(raw.bytes, linkType: .ethernet, originalLength: f.count, context: 1)
                guard let packet = found.packet else { Issue.record("frame \(n) missed its template"); return }
                decoded.template = found.way
                fromTemplates += 1
                worker.send(frame, to: FrameVisitor.everyAnalyser, packet: PacketView(packet), bytes: raw.bytes, held: false, decoded: decoded)
            }
        }
        let traffic = worker.finish().traffic.finish()
        let sent = frames.enumerated().filter { $0.offset != 0 && $0.offset != 3 }.map(\.element)
        #expect(fromTemplates == 5)
        #expect(traffic.packets == sent.count)
        #expect(traffic.bytes == sent.reduce(0) { $0 + $1.count })
    }
}
