// One verification: captures are fed frame by frame (from files or a live
// interface), decoded once, and handed to every registered analyser; at the
// end the analysers' findings are judged by the checks into the verdict.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict

/// A verification in progress. Feed it frames with `observe`, then ask for the `verdict()`.
public struct VerificationSession {
    public let plan: Plan
    public let topology: Topology
    let decoder: PacketDecoder
    /// The decoded packet, reused for every frame, lent to the analysers as a `PacketView`.
    let packet = DecodedPacketBuffer()

    var captures: [CaptureSummary] = []
    /// Per capture: the time of its last frame, as the capture has it (`FrameInfo`): made a
    /// `lastTime` once, by `summaries`, not at every frame (a division).
    var lastFrameTimes: [(seconds: Int64, nanoseconds: UInt32)] = []
    var linkTypes: [LinkType] = []
    var points = CapturePoints()
    /// Per capture: nanoseconds added to its timestamps (its clock offset; 0 unless estimated).
    var clockOffsets: [Int64] = []
    /// The clock offsets estimated for the run, for the verdict.
    var clockEstimates: [ClockEstimate] = []

    /// The registered analysers (AnalyserRegistry.swift). While `worker` runs them on its
    /// thread, these only answer which packets are new to them (`isNew`).
    var analysers: Analysers
    /// With two threads: the thread that runs the analysers (ParallelRead.swift).
    var worker: AnalysisWorker?
    /// Frames a batch carries to that thread at most (smaller in tests, to change hands often).
    var batchFrames = 512
    /// The flows of the frames fed so far (FlowTable.swift).
    var flows = FlowTable()
    /// Header templates of recent flows, with the fast path (HeaderTemplate.swift).
    public let templates = HeaderTemplates()
    /// False: every analyser observes every packet (`--no-fast-path`), to check that the
    /// fast path's verdict is the same.
    public var fastPath = true
    /// When set, counts which analysers each frame in a flow is new to (InterestCensus.swift).
    public var census: InterestCensus?


    /// Starts a verification of `plan`. The plan's VXLAN and GENEVE ports are decoded as such.
    public init(plan: Plan) {
        self.plan = plan
        topology = Topology(plan: plan)
        var options = DecoderOptions()
        if let v = plan.transport.vxlan { options.addVXLANPort(v.port) }
        if let g = plan.transport.geneve { options.addGENEVEPort(g.port) }
        decoder = PacketDecoder(options: options)
        analysers = Analysers(topology: topology)
    }

    /// Registers a capture (a file or a live interface); returns its id for `observe`.
    public mutating func addCapture(path: String, linkType: LinkType, linkTypeName: String) -> CaptureID {
        captures.append(CaptureSummary(path: path, linktype: linkTypeName))
        lastFrameTimes.append((0, 0))
        linkTypes.append(linkType)
        clockOffsets.append(0)
        return CaptureID(captures.count - 1)
    }

    /// Feeds one frame of capture `id`.
    public mutating func observe(capture id: CaptureID, info: FrameInfo, bytes: borrowing RawSpan) {
        var info = info
        observe(capture: id, info: &info, bytes: bytes, held: false)
    }

    /// Feeds one frame; `held`: its bytes stay where they are until the worker lets go of
    /// them (in a reader's window, `FrameHolder`), so the analysers' thread reads them there.
    /// `info` is only read; `inout` lends it where the read loop keeps it (passed as a value,
    /// it was copied whole right after the reader wrote it field by field: a stall a frame).
    mutating func observe(capture id: CaptureID, info: inout FrameInfo, bytes: borrowing RawSpan, held: Bool) {
        let index = Int(id.index)
        // A frame of a flow whose headers it repeats is its flow's template, patched
        // (HeaderTemplate.swift), with its flow's key: no decode, no copy and no key to work
        // out. With two threads the analysers' thread patches its own `TemplateMirror`: no
        // decoded packet crosses from this core to that one.
        let context = UInt64(index) << 32 | UInt64(UInt32(bitPattern: info.interfaceID))
        let lookup = fastPath
            ? templates.decode(bytes, linkType: linkTypes[index], originalLength: info.originalLength, context: context) : .none
        let known = lookup.flow
        var slot = self.packet.packet
        if let templated = lookup.packet {
            slot = templated
        } else {
            // With two threads, straight into the batch for the analysers' thread (ParallelRead.swift).
            // Optional chaining: a strong `worker` taken here was retained and released, slowly
            // (the window holds it weakly, so its counts are in a side table).
            slot = worker?.slot(count: bytes.byteCount, held: held) ?? slot
            decoder.decode(bytes, linkType: linkTypes[index], originalLength: info.originalLength, into: slot)
        }
        let packet = PacketView(slot)
        captures[index].packets += 1
        captures[index].bytes += info.originalLength
        if captures[index].firstTime == nil { captures[index].firstTime = info.time }
        lastFrameTimes[index] = (info.seconds, info.nanoseconds)
        if packet.isMalformed { captures[index].malformed += 1 }
        let interface = Self.interface(of: packet, info: info, linkType: linkTypes[index])
        let point = points.id(capture: id, interface: interface)
        let time = Timestamp(nanoseconds: Timestamp(info).nanoseconds &+ clockOffsets[index])
        let ref = FrameRef(capture: id, frame: info.number, point: point)
        var decoded = FrameDecode(originalLength: info.originalLength)
        // The frame is made once, whole, from what is known here: made field by field and
        // then copied whole (to `route`, the visitor, the batch), it was read back before
        // the CPU had its parts in one place, which costs a stall per copy.
        let flow: FlowSighting
        if let known {
            assert(FlowKey.of(packet, point: point) == known, "a template's packet has another flow")
            flow = Self.sight(known, packet, ref, time, info.direction, &flows.index, &analysers)
            decoded.template = lookup.way
        } else if let key = FlowKey.of(packet, point: point) {
            flow = Self.sight(key, packet, ref, time, info.direction, &flows.index, &analysers)
            if fastPath, Self.worthATemplate(flow.position) {
                decoded.learned = templates.learn(
                    bytes, linkType: linkTypes[index], context: context, packet: slot, flow: key, variant: lookup.variant,
                    bgpPort: decoder.options.bgpPort) ?? -1
                if decoded.learned >= 0 { worker?.learned(way: decoded.learned) }
            }
        } else {
            flow = .none
        }
        let frame = FrameContext(ref: ref, time: time, flow: flow, direction: info.direction)
        Self.route(
            packet, bytes: bytes, frame: frame, held: held, decoded: decoded, fastPath: fastPath, &flows.pending, &analysers,
            worker.map(Unmanaged.passUnretained), &census)
    }

    /// Where a frame of flow `key` is in it, with the analysers' facts about the flow
    /// (`PacketAnalyser.flowFact`): asked at its first packet (`firstSighting`), then kept.
    @inline(__always)
    static func sight(
        _ key: UInt64, _ packet: PacketView, _ ref: FrameRef, _ time: Timestamp, _ direction: PacketDirection,
        _ index: inout FlowIndex, _ analysers: inout Analysers
    ) -> FlowSighting {
        let (slot, position) = index.sight(key)
        var flow = FlowSighting(position: position, innermostIPLevel: packet.innermostIPLevel, slot: Int32(slot))
        flow.facts = position == 1
            ? firstSighting(packet, FrameContext(ref: ref, time: time, flow: flow, direction: direction), &index, &analysers)
            : index.facts(at: slot)
        return flow
    }

    /// The analysers' facts about a flow, asked at its first frame and kept with it.
    @inline(never)
    static func firstSighting(_ packet: PacketView, _ frame: FrameContext, _ index: inout FlowIndex, _ analysers: inout Analysers) -> UInt64 {
        var asking = FactVisitor()
        analysers.forEach(&asking, packet: packet, bytes: UnsafeRawBufferPointer(start: nil, count: 0).bytes, frame: frame)
        index.remember(asking.facts, at: Int(frame.flow.slot))
        return asking.facts
    }

    /// Whether a fully decoded frame at `position` in its flow becomes the flow's template: from
    /// its second frame (a flow of one frame needs none), then, while its frames keep missing
    /// the template (another flow took its place, or lengths that do not move together),
    /// every 64th.
    @inline(__always)
    static func worthATemplate(_ position: UInt32) -> Bool { position >= 2 && (position < 16 || position & 63 == 0) }

    /// Hands a frame whose flow is found (`sight`) to the analysers it is new to: all of them,
    /// none (its flow's pending counts take it), or only some whose credits do not add up
    /// (`PacketAnalyser.creditsAddUp`), the pending counts taking it for the others. A new
    /// flow first credits what the flow it replaced had pending. With two threads, the
    /// analysers here only answer `isNew`, and `worker` runs the real ones (unretained: a
    /// strong reference was retained and released here, every frame).
    static func route(
        _ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext, held: Bool, decoded: FrameDecode, fastPath: Bool,
        _ pending: inout FlowPending, _ analysers: inout Analysers, _ worker: Unmanaged<AnalysisWorker>?, _ census: inout InterestCensus?
    ) {
        var deliver = FrameVisitor.everyAnalyser
        if frame.flow.position > 0 {
            let slot = Int(frame.flow.slot)
            if frame.flow.position == 1, let (flow, counts) = pending.start(slot, ref: frame.ref) {
                if let worker { worker._withUnsafeGuaranteedRef { $0.credit(flow, counts) } } else { analysers.credit(flow, counts) }
            }
            if census != nil { census!.count(&analysers, packet: packet, bytes: bytes, frame: frame) }
            if fastPath {
                var interest = InterestVisitor()
                analysers.forEach(&interest, packet: packet, bytes: bytes, frame: frame)
                if !interest.everyAnalyser {
                    pending.count(slot, packet: packet, frame: frame, acknowledgement: acknowledgement(of: packet, innermost: frame.flow.innermostIPLevel))
                    guard interest.wanted != 0 else { return }
                    deliver = interest.wanted
                }
            }
        }
        if let worker {
            worker._withUnsafeGuaranteedRef { $0.send(frame, to: deliver, packet: packet, bytes: bytes, held: held, decoded: decoded) }
        } else {
            var visitor = FrameVisitor(analysers: deliver)
            analysers.forEach(&visitor, packet: packet, bytes: bytes, frame: frame)
        }
    }

    /// The innermost TCP segment's acknowledgement number, when it carries one.
    @inline(__always)
    static func acknowledgement(of p: PacketView, innermost: Int?) -> UInt32? {
        guard let i = innermost else { return nil }
        let t = p.levels[i].transport
        return t.kind == .tcp && t.headerLength > 0 && t.tcpFlags.contains(.ack) ? t.acknowledgement : nil
    }


    /// The interface a frame was seen on, where the capture says: a pcapng interface id,
    /// an SLL2 interface index, or for SLL (v1) whether the host sent or received it.
    @inline(__always)
    static func interface(of packet: PacketView, info: FrameInfo, linkType: LinkType) -> CaptureInterface {
        if info.interfaceID >= 0 { return .index(UInt32(info.interfaceID)) }
        guard let cooked = packet.levels[0].cooked else { return .whole }
        if linkType == .linuxSLL2 { return .index(cooked.interfaceIndex) }
        return cooked.packetType == 4 ? .sent : .received
    }

    /// Marks capture `id` as read only up to `frame` (exclusive), for `reason`.
    public mutating func markIncomplete(capture id: CaptureID, frame: Int, reason: String) {
        captures[Int(id.index)].incomplete = IncompleteRead(frame: frame, reason: reason)
    }

    /// Records a live capture's drop counters.
    public mutating func setDrops(capture id: CaptureID, _ drops: CaptureDrops) {
        captures[Int(id.index)].drops = drops
    }

    /// Reads a capture file to its end (or to where it is cut) and feeds every frame.
    /// Throws when the file cannot be opened at all; a cut file is marked incomplete instead.
    /// `progress` is called every 4096 frames with the frames and bytes (records included) read so far.
    /// `name` is how the capture is named in the verdict (default: `path`).
    public mutating func read(path: String, name: String? = nil, progress: ((Int, Int) -> Void)? = nil) throws(CaptureError) {
        var reader = try CaptureFileReader(path: path)
        let id = addCapture(path: name ?? path, linkType: reader.linkType, linkTypeName: reader.linkTypeName)
        var fileBytes = 24
        do {
            try reader.forEachFrame { info, bytes in
                observe(capture: id, info: info, bytes: bytes)
                fileBytes += 16 + info.capturedLength
                if info.number & 4095 == 0 { progress?(info.number, fileBytes) }
                return true
            }
        } catch {
            markIncomplete(capture: id, frame: error.frame ?? (reader.framesRead + 1), reason: error.message)
        }
        if reader.invalidTimestamps > 0 { captures[Int(id.index)].invalidTimestamps = reader.invalidTimestamps }
    }

    /// The captures' summaries, their last frames' times filled in.
    var summaries: [CaptureSummary] {
        var summaries = captures
        for (i, t) in lastFrameTimes.enumerated() where summaries[i].firstTime != nil {
            summaries[i].lastTime = FrameInfo.time(seconds: t.seconds, nanoseconds: t.nanoseconds)
        }
        return summaries
    }

    /// Nanoseconds as seconds, to the microsecond.
    static func seconds(_ nanoseconds: Int64) -> Double { Double((nanoseconds + (nanoseconds >= 0 ? 500 : -500)) / 1000) / 1e6 }

    /// What every analyser found over the frames fed so far.
    public func findings() -> Findings {
        var findings = Findings()
        findings.captures = summaries
        findings.points = points.points
        var analysers = analysers
        analysers.credit(flows)
        analysers.finish(into: &findings)
        return findings
    }

    /// The verdict over everything fed so far.
    public func verdict() -> Verdict {
        let findings = findings()
        let judgement = judgeAll(topology, findings)
        var verdict = Verdict(plan: plan.name, planPath: plan.source.file, tool: "crosswire \(crosswireVersion)")
        verdict.captures = summaries
        for (id, count) in findings.tunnels.offloadAggregates { verdict.captures[Int(id.index)].offloadAggregates = count }
        for i in verdict.captures.indices {
            let names = findings.pointNames(of: CaptureID(i))
            if !names.isEmpty { verdict.captures[i].points = names }
        }
        verdict.checks = judgement.checks
        verdict.metrics = findings.metrics(topology)
        if !clockEstimates.isEmpty {
            verdict.metrics.clockOffsets = clockEstimates.map {
                ClockOffset(
                    capture: captures[$0.capture].path, offsetSeconds: Self.seconds($0.offset), matched: $0.matched,
                    spreadSeconds: Self.seconds($0.spread))
            }
        }
        verdict.events = findings.control.timeline.map(Sentences(topology: topology, findings: findings).event)
        verdict.bgpRoutes = judgement.bgpRoutes
        verdict.ospfRoutes = judgement.ospfRoutes
        verdict.ospfAdjacencies = judgement.ospfAdjacencies
        verdict.ospfLinks = judgement.ospfLinks
        verdict.bgpSessions = judgement.bgpSessions
        return verdict
    }
}
