// Reading the captures of one run together, interleaved by time (a k-way merge
// on timestamps), so that the sightings of one packet at several points arrive
// close together whatever the captures' sizes: the bounded tables hold a time
// window, not whole files. Before the merge each capture's clock offset is
// estimated from packets two captures share, as NTP does, and applied.

import CrosswireCapture
import CrosswireDecoder
import CrosswireVerdict

/// One capture in the merge. A class, because readers cannot be copied. Its state is
/// the reading thread's alone: unchecked, not checked at run time on every frame.
final class MergeInput {
    @exclusivity(unchecked) var reader: CaptureFileReader
    let id: CaptureID
    let source: CaptureSource
    let offset: Int64
    /// The current frame's bytes (nil: the capture ended or was cut) and info, which the
    /// reader writes in place (`CaptureFileReader.next(into:)`).
    @exclusivity(unchecked) var bytes: UnsafeRawBufferPointer?
    @exclusivity(unchecked) var info = FrameInfo()
    /// The current frame's bytes lie in the reader's window, held by the worker
    /// (`CaptureFileReader.lastFrameIsInWindow`).
    @exclusivity(unchecked) var held = false
    /// The current frame's time with the offset applied, in nanoseconds.
    @exclusivity(unchecked) var time: Int64 = .max
    /// Bytes of the file read so far, records included, for progress lines.
    @exclusivity(unchecked) var fileBytes = 24

    init(reader: consuming CaptureFileReader, id: CaptureID, source: CaptureSource, offset: Int64) {
        self.reader = reader
        self.id = id
        self.source = source
        self.offset = offset
    }
}

extension VerificationSession {
    /// Reads `sources` interleaved by time, each capture's timestamps moved by its clock
    /// offset (estimated from the files when they can be read twice). A capture cut short is
    /// marked incomplete and the others read on.
    mutating func readInterleaved(_ sources: [CaptureSource], progress: ((String, Int, Int) -> Void)? = nil) throws(CaptureError) {
        readOpened(try open(sources), progress: progress)
    }

    /// Opens the run's captures, adds them with their clock offsets, and tells the analysers
    /// what the run can show: one capture point only (`Analysers.expectOnePoint`) when it is
    /// one capture whose frames name no interface.
    mutating func open(_ sources: [CaptureSource]) throws(CaptureError) -> [MergeInput] {
        let estimates = sources.count > 1 && sources.allSatisfy(\.isRegularFile)
            ? ClockEstimate.estimate(sources, decoder: decoder) : []
        let fresh = captures.isEmpty
        var inputs: [MergeInput] = []
        for (i, source) in sources.enumerated() {
            let reader = try CaptureFileReader(path: source.path)
            let id = addCapture(path: source.name ?? source.path, linkType: reader.linkType, linkTypeName: reader.linkTypeName)
            let offset = estimates.first { $0.capture == i }?.offset ?? 0
            clockOffsets[Int(id.index)] = offset
            inputs.append(MergeInput(reader: reader, id: id, source: source, offset: offset))
        }
        clockEstimates = estimates
        // The point is the capture and the interface its frame names (`interface(of:info:linkType:)`).
        if fresh, inputs.count == 1, !inputs[0].reader.numbersInterfaces, !inputs[0].reader.linkType.namesInterface {
            analysers.expectOnePoint()
        }
        return inputs
    }

    /// Reads opened captures (`open`) to their ends, interleaved by time.
    mutating func readOpened(_ inputs: [MergeInput], progress: ((String, Int, Int) -> Void)?) {
        for input in inputs { worker?.hold(input.reader) }
        if inputs.count == 1 {
            readAlone(inputs[0], progress: progress)
        } else {
            merge(inputs, progress: progress)
        }
        for input in inputs where input.reader.invalidTimestamps > 0 {
            captures[Int(input.id.index)].invalidTimestamps = input.reader.invalidTimestamps
        }
    }

    /// One capture: its frames in file order, with no merge to choose among inputs. Its info
    /// is a local, rewritten in place. (Not the input's own, as the merge's: written through
    /// `inout` on a class's property, it went through a copy, and `observe` stalled on it, 365
    /// reading-thread samples a million frames against 88.)
    private mutating func readAlone(_ input: MergeInput, progress: ((String, Int, Int) -> Void)?) {
        var info = FrameInfo()
        while true {
            let next: UnsafeRawBufferPointer?
            do {
                next = try input.reader.next(into: &info)
            } catch {
                markIncomplete(capture: input.id, frame: error.frame ?? (input.reader.framesRead + 1), reason: error.message)
                return
            }
            guard let bytes = next else { return }
            observe(capture: input.id, info: &info, bytes: bytes.bytes, held: input.reader.lastFrameIsInWindow)
            input.fileBytes += 16 + info.capturedLength
            if info.number & 4095 == 0 { progress?(input.source.path, info.number, input.fileBytes) }
        }
    }

    /// Several captures, merged by time (the earliest current frame first).
    private mutating func merge(_ inputs: [MergeInput], progress: ((String, Int, Int) -> Void)?) {
        for input in inputs { advance(input) }
        // Unretained: a strong reference taken per frame was an atomic retain and release
        // each. `inputs` keeps them alive.
        let merge = inputs.map(Unmanaged.passUnretained)
        while true {
            // The earliest current frame; on equal times, the capture given first.
            var earliest = -1, earliestTime = Int64.max
            for k in merge.indices {
                let (present, time) = merge[k]._withUnsafeGuaranteedRef { ($0.bytes != nil, $0.time) }
                if present, earliest < 0 || time < earliestTime { (earliest, earliestTime) = (k, time) }
            }
            guard earliest >= 0 else { break }
            merge[earliest]._withUnsafeGuaranteedRef { input in
                guard let bytes = input.bytes else { return }
                observe(capture: input.id, info: &input.info, bytes: bytes.bytes, held: input.held)
                input.fileBytes += 16 + input.info.capturedLength
                if input.info.number & 4095 == 0 { progress?(input.source.path, input.info.number, input.fileBytes) }
                advance(input)
            }
        }
    }

    /// Moves `input` to its next frame; at a cut, marks its capture incomplete.
    private mutating func advance(_ input: MergeInput) {
        do {
            input.bytes = try input.reader.next(into: &input.info)
            input.held = input.reader.lastFrameIsInWindow
        } catch {
            markIncomplete(capture: input.id, frame: error.frame ?? (input.reader.framesRead + 1), reason: error.message)
            input.bytes = nil
        }
        input.time = input.bytes == nil ? .max : Timestamp(input.info).nanoseconds &+ input.offset
    }
}

/// A capture's clock offset to the first capture, and what it rests on.
struct ClockEstimate: Sendable {
    /// Position of the capture in the run.
    var capture: Int
    /// Nanoseconds to add to its timestamps.
    var offset: Int64
    var matched: Int
    var spread: Int64

    /// Frames of each capture's beginning that take part: captures of one run start at about the same time.
    static let prefixFrames = 200_000
    /// A packet seen again in one capture further apart than this is not one sighting (a retransmission, say).
    static let repeatLimit: Int64 = 500_000_000

    /// What the estimate keeps of one packet in one capture.
    struct Sighting {
        var time: Int64
        /// The conversation (both ends, either way) and the direction (the source end), as the first capture to see it saw them.
        var conversation: UInt64
        var direction: UInt64
        var repeated = false
    }

    /// Per capture after the first: its offset to a capture whose offset is known (the first: 0),
    /// from the packets both saw. Per conversation, the median time difference of each direction;
    /// the two directions cross the points in opposite orders, so their mean cancels the transit
    /// time. The median over conversations seen both ways; with one-way traffic only, the median
    /// difference. Captures that share no packet with a known one get none (offset 0).
    static func estimate(_ sources: [CaptureSource], decoder: PacketDecoder) -> [ClockEstimate] {
        let seen = sources.map { sightings(of: $0.path, decoder: decoder) }
        var known: [Int: Int64] = [0: 0]
        var out: [ClockEstimate] = []
        for _ in sources.indices {
            var progressed = false
            for c in sources.indices where known[c] == nil {
                // The known capture sharing the most packets with this one.
                var best: (reference: Int, common: [UInt64])?
                for r in known.keys.sorted() {
                    let common = seen[c].keys.filter { seen[r][$0] != nil && !seen[r][$0]!.repeated && !seen[c][$0]!.repeated }
                    if !common.isEmpty, common.count > (best?.common.count ?? 0) { best = (r, common) }
                }
                guard let (r, common) = best else { continue }
                var diffs: [Int64] = []
                var ways: [UInt64: [UInt64: [Int64]]] = [:]
                for key in common {
                    let a = seen[r][key]!, b = seen[c][key]!
                    let d = a.time &+ known[r]! &- b.time
                    diffs.append(d)
                    ways[a.conversation, default: [:]][a.direction, default: []].append(d)
                }
                diffs.sort()
                let both = ways.values.filter { $0.count == 2 }.map { directions in
                    let medians = directions.values.map(median)
                    return (medians[0] &+ medians[1]) / 2
                }
                let offset = both.isEmpty ? median(diffs) : median(both)
                known[c] = offset
                out.append(ClockEstimate(capture: c, offset: offset, matched: common.count, spread: diffs.last! &- diffs.first!))
                progressed = true
            }
            if !progressed { break }
        }
        return out.sorted { $0.capture < $1.capture }
    }

    static func median(_ values: [Int64]) -> Int64 {
        let v = values.sorted()
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] &+ v[v.count / 2]) / 2
    }

    /// The packets of a capture's beginning, by fingerprint (`PacketFingerprint`).
    static func sightings(of path: String, decoder: PacketDecoder) -> [UInt64: Sighting] {
        var table: [UInt64: Sighting] = [:]
        guard var reader = try? CaptureFileReader(path: path) else { return table }
        let packet = DecodedPacketBuffer()
        var count = 0
        let linkType = reader.linkType
        try? reader.forEachFrame { info, bytes in
            count += 1
            let packet = packet.decode(bytes, by: decoder, linkType: linkType, originalLength: info.originalLength)
            guard let i = packet.innermostIPLevel, let fingerprint = PacketFingerprint.of(packet, level: i, bytes: bytes) else {
                return count < prefixFrames
            }
            let time = Timestamp(info).nanoseconds
            if let s = table[fingerprint] {
                if time &- s.time > repeatLimit { table[fingerprint]!.repeated = true }
            } else {
                let e = Endpoints(packet, level: i)
                var source = KeyHasher(), destination = KeyHasher()
                source.add(IPAddressKey(e.source)); source.add(UInt64(e.sourcePort) << 8 | UInt64(e.protocolNumber))
                destination.add(IPAddressKey(e.destination)); destination.add(UInt64(e.destinationPort) << 8 | UInt64(e.protocolNumber))
                let (s, d) = (source.value, destination.value)
                table[fingerprint] = Sighting(time: time, conversation: min(s, d) &* 31 &+ max(s, d), direction: s)
            }
            return count < prefixFrames
        }
        return table
    }
}
