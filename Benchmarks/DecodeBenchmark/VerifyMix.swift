// The whole verification path per packet: decode, BGP/OSPF reassembly and
// events, and every analyser of `VerificationSession`, over the lab's
// captures (pcaps/) held in memory and fed again and again. The same flows
// repeat, so after the warm-up pass every table already holds its keys:
// the steady state, where allocations must not grow with packet count.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerify
import Foundation

final class VerifyMix: @unchecked Sendable {
    let name: String
    let frames: CaptureMix
    let planPath: String
    private var session: VerificationSession?
    private var captureIndex: [UInt32: CaptureID] = [:]
    private var cursor = 0
    private var frameNumber = 0

    init(name: String, paths: [String], planPath: String) {
        self.name = name
        frames = CaptureMix(name: name, paths: paths)
        self.planPath = planPath
    }

    /// Loads the frames and the plan, then feeds every frame once (the warm-up).
    func load() {
        frames.load()
        guard let plan = try? PlanLoader().load(contentsOf: planPath) else {
            FileHandle.standardError.write(Data("[\(name)] cannot load \(planPath)\n".utf8))
            return
        }
        var s = VerificationSession(plan: plan)
        for lt in Set(frames.linkTypes.map(\.rawValue)).sorted() {
            captureIndex[lt] = s.addCapture(path: "bench-\(lt)", linkType: LinkType(rawValue: lt), linkTypeName: "\(lt)")
        }
        session = s
        feed(count: frames.frameCount)
    }

    /// Feeds `count` frames, cycling through the mix; returns the bytes fed.
    @discardableResult
    func feed(count: Int) -> Int {
        guard var s = session, frames.frameCount > 0 else { return 0 }
        session = nil
        let n = frames.frameCount
        let starts = frames.starts, lengths = frames.lengths, originals = frames.originalLengths, linkTypes = frames.linkTypes
        var fed = 0
        frames.bytes.withUnsafeBytes { raw in
            for _ in 0..<count {
                let i = cursor
                cursor = cursor + 1 == n ? 0 : cursor + 1
                frameNumber += 1
                let frame = UnsafeRawBufferPointer(rebasing: raw[starts[i]..<(starts[i] + lengths[i])])
                let info = FrameInfo(
                    number: frameNumber, seconds: Int64(frameNumber / 1000), nanoseconds: UInt32(frameNumber % 1000) * 1000,
                    capturedLength: lengths[i], originalLength: originals[i])
                s.observe(capture: captureIndex[linkTypes[i].rawValue]!, info: info, bytes: frame.bytes)
                fed &+= lengths[i]
            }
        }
        session = s
        return fed
    }
}
