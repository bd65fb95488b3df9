// Packets between hosts, matched across the capture points of one wire: a
// packet that one point saw, and another point did not although it sees that
// kind of traffic on that wire and was capturing then, was lost between them
// (path.delivery).
//
// A wire is told by what a router rewrites: the link source and the outermost
// addresses. Two points that see the same (source MAC, outer source and
// destination) see the same stretch of wire, so no forwarding, firewall or TTL
// expiry inside a host is ever counted as loss. TCP segments that carry data are
// not matched: GRO and GSO merge and split them between points.

import CrosswireDecoder

/// Traffic of one wire towards one host: the same link source and destination, outermost
/// addresses, protocol and service port (a capture filtered to a port still sees its class whole).
struct DeliveryClass {
    var key: UInt64
    /// The link's source and destination (nil where the capture names none: SLL).
    var sourceMAC: MACAddress?
    var destinationMAC: MACAddress?
    /// The host the packets leave (innermost source's owner) and the host they go to.
    var from: Int
    var to: Int
    /// The outermost addresses, protocol and service port: the reverse class has them swapped.
    var outerSource: IPAddress
    var outerDestination: IPAddress
    var protocolNumber: UInt8
    var port: UInt16
    /// Points that saw a packet of this class (bit = point index, 63 = the rest).
    var points: UInt64 = 0
    /// The class in the other direction, once seen (a point that sees one direction sees the other).
    var reverse: Int32 = -1
}

/// One packet waiting for the other points' sightings.
struct PendingPacket {
    var key: UInt64
    var classIndex: Int32
    var time: Int64
    var points: UInt64
    /// Up to four sightings: the frame (with its point) and time.
    var sightings: InlineArray<4, (ref: FrameRef, time: Int64)>
    var sightingCount: Int
}

/// Two points of one class: packets seen at both, at one only.
struct DeliveryPair {
    var classIndex: Int32
    /// The two points, `low < high`.
    var low: Int32
    var high: Int32
    var both = 0
    var onlyLow = 0
    var onlyHigh = 0
    /// The least (time at high − time at low) over packets both saw: the wire's delay, signed by direction.
    var minimumDelay = Int64.max
    var firstOnlyLow: [FrameRef] = []
    var firstOnlyHigh: [FrameRef] = []
}

/// A packet one point of a pair saw and the other did not, not yet known to be lost.
struct Missed {
    var pair: Int32
    var lowSide: Bool
    var ref: FrameRef
    var time: Int64
}

struct MissedQueue {
    var buffer: [Missed] = []
    var head = 0
    var count = 0
}

struct DeliveryFindings {
    var classes: [DeliveryClass] = []
    var pairs: [DeliveryPair] = []
    /// Packets between hosts that took part (fragments, cut payloads and TCP data do not).
    var judged = 0
    /// Packets left out: more classes or point pairs than the bounds.
    var unclassified = 0
    /// Missed packets dropped undecided from a full queue (a point that stopped capturing long ago).
    var undecided = 0
}

struct DeliveryAnalyser: MemoAnalyser {
    static var findingsPath: WritableKeyPath<Findings, DeliveryFindings> { \.delivery }
    /// How long a packet waits for its other sightings, and the margin a point's capture must
    /// have around a packet's time to count as covering it.
    static let window: Int64 = 500_000_000
    static let ringCapacity = 1 << 16
    static let firstRingSize = 1 << 10
    static let classLimit = 512
    static let pairLimit = 4096
    static let evidenceLimit = 20

    let topology: Topology
    var found = DeliveryFindings()
    var classIndex = FixedHashTable<Int32>(capacity: 2048)
    /// Each flow's class: a flow's packets share all a class is made of (the MACs, outer
    /// addresses and ports), and its first packet is new here (`isNew`).
    var classOfFlow = FlowMemo<Int32>()
    var pairIndex = FixedHashTable<Int32>(capacity: 8192)
    /// When each point first saw each class.
    var classSeen = FixedHashTable<Int64>(capacity: 8192)
    /// Each pending packet's ring slot, by key (1 MB: the 24-byte slots of a FixedHashTable
    /// took 3 MB, a cache miss for almost every packet).
    var pending = TagIndex(positions: ringCapacity)
    /// Slots from `head` to `head + queued` (round the ring) hold packets; the others are
    /// never read. Made at the first packet with `firstRingSize` slots, doubled when full up
    /// to `ringCapacity`: a ring goes round all its slots, and so writes every page of them,
    /// however few packets wait at once.
    var ring = ZeroedSlots<PendingPacket>()
    var head = 0
    var queued = 0
    var firstTime: [Int64] = []
    var lastTime: [Int64] = []
    /// Per point: packets it missed, waiting until its capture passes their window.
    var waiting: [MissedQueue] = []
    static let waitingCapacity = 4096

    /// The run shows one capture point only (`Analysers.expectOnePoint`): no packet can be
    /// seen at a second point, so none is new here and none is kept.
    var onePoint = false

    init(topology: Topology) { self.topology = topology }

    static func bit(_ point: Int32) -> UInt64 { 1 << UInt64(min(max(point, 0), 63)) }

    /// The hosts a packet goes between, when it takes part: the innermost level's owners differ,
    /// and it is not a fragment nor a TCP segment with data (GRO and GSO merge and split those).
    /// Transparent: `@inline(__always)` leaves it out of line in `observe`, which is past the
    /// optimiser's caller size limit.
    @_transparent
    func hosts(_ p: PacketView, level i: Int) -> (from: Int, to: Int)? {
        guard let ip = p.levels[i].ip, !ip.isFragment, !Self.carriesData(p.levels[i].transport) else { return nil }
        return ends(ip)
    }

    /// GRO and GSO merge and split TCP segments with data.
    @_transparent
    static func carriesData(_ t: TransportFields) -> Bool { t.kind == .tcp && t.payloadLength > 0 }

    /// The hosts at the ends of `ip`, when they differ.
    @_transparent
    func ends(_ ip: IPFields) -> (from: Int, to: Int)? {
        guard let a = topology.owner(of: ip.source) ?? topology.node(at: ip.source),
            let b = topology.owner(of: ip.destination) ?? topology.node(at: ip.destination), a != b
        else { return nil }
        return (a, b)
    }

    /// The flow goes between two hosts: `hosts` but for the data test, which is per packet.
    @inline(__always)
    func flowFact(_ p: PacketView, frame: FrameContext) -> Bool {
        guard !onePoint, let i = frame.flow.innermostIPLevel, let ip = p.levels[i].ip, !ip.isFragment else { return false }
        return ends(ip) != nil
    }

    /// A point's first frame (the first of some flow) and every packet that takes part.
    @inline(__always)
    func isNew(_ p: PacketView, bytes _: borrowing RawSpan, frame: FrameContext) -> Bool {
        guard !onePoint else { return false }
        guard frame.flow.position > 1, let i = frame.flow.innermostIPLevel else { return true }
        return frame.flow.fact && !Self.carriesData(p.levels[i].transport)
    }

    /// Only the time of the point's last frame, which decides whether it covered a packet.
    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts) {
        guard !onePoint else { return }
        let q = Int(flow.ref.point.index)
        guard q >= 0, q < lastTime.count, counts.lastTime.nanoseconds > lastTime[q] else { return }
        lastTime[q] = counts.lastTime.nanoseconds
        decide(at: q)
    }

    mutating func observe(_ p: PacketView, bytes: borrowing RawSpan, frame: FrameContext, memo: inout FrameMemo) {
        let point = frame.point.index
        guard point >= 0, !onePoint else { return }
        let now = frame.time.nanoseconds
        if Int(point) >= firstTime.count {
            let n = Int(point) + 1 - firstTime.count
            firstTime.append(contentsOf: repeatElement(.max, count: n))
            lastTime.append(contentsOf: repeatElement(.min, count: n))
        }
        if firstTime[Int(point)] == .max { firstTime[Int(point)] = now }
        if now > lastTime[Int(point)] { lastTime[Int(point)] = now }
        if Int(point) < waiting.count, waiting[Int(point)].count > 0 { decide(at: Int(point)) }
        while queued > 0, ring[head].time < now &- Self.window { complete() }

        guard let i = frame.innermostIPLevel(of: p) else { return }
        let known = classOfFlow.value(for: frame)
        let t = p.levels[i].transport
        var ends: (from: Int, to: Int)?
        if known != nil {
            // The flow's class is known: it goes between two hosts; the data test is per packet.
            guard !Self.carriesData(t) else { return }
        } else {
            ends = hosts(p, level: i)
            guard ends != nil else { return }
        }
        if t.kind != .none, t.capturedPayloadLength < min(PacketFingerprint.payloadBytes, t.payloadLength) { return }
        guard let fingerprint = memo.fingerprint(p, level: i, bytes: bytes),
            let c = known ?? classOf(p, from: ends!.from, to: ends!.to)
        else { found.unclassified += 1; return }
        if known == nil { classOfFlow.remember(c, for: frame) }
        if found.classes[Int(c)].points & Self.bit(point) == 0 {
            found.classes[Int(c)].points |= Self.bit(point)
            classSeen.update(Self.seenKey(c, point)) { $0 = now }
        }
        var h = KeyHasher()
        h.add(fingerprint); h.add(found.classes[Int(c)].key)
        let key = h.value
        if let s = pending.find(key, { ring[$0].key == key }).position {
            guard ring[s].points & Self.bit(point) == 0 else { return }
            ring[s].points |= Self.bit(point)
            if ring[s].sightingCount < 4 {
                ring[s].sightings[ring[s].sightingCount] = (frame.ref, now)
                ring[s].sightingCount += 1
            }
            return
        }
        found.judged += 1
        // A full ring judges its oldest packet early: points whose capture has not yet reached
        // the end of the window do not count as covering it, so nothing is called lost early.
        if queued == Self.ringCapacity { complete() }
        if queued == ring.count { growRing() }
        let slot = (head + queued) & (ring.count - 1)
        ring[slot] = PendingPacket(
            key: key, classIndex: c, time: now, points: Self.bit(point),
            sightings: InlineArray(repeating: (frame.ref, now)), sightingCount: 1)
        queued += 1
        pending.insert(key, position: slot)
    }

    /// The class of a packet between hosts `a` and `b` (nil beyond the bound).
    private mutating func classOf(_ p: PacketView, from a: Int, to b: Int) -> Int32? {
        guard let outer = p.levels[0].ip else { return nil }
        let t = p.levels[0].transport
        var mac = p.levels[0].ethernet?.source
        if mac == nil { mac = p.levels[0].cooked?.source }
        let destinationMAC = p.levels[0].ethernet?.destination
        let port: UInt16 = t.kind == .tcp || t.kind == .udp ? min(t.sourcePort, t.destinationPort) : 0
        var h = KeyHasher()
        h.add(mac?.rawValue ?? 0); h.add(destinationMAC?.rawValue ?? 1 << 48)
        h.add(IPAddressKey(outer.source)); h.add(IPAddressKey(outer.destination))
        h.add(UInt64(outer.protocolNumber) << 16 | UInt64(port))
        let key = h.value
        if let c = classIndex.value(for: key) { return c }
        guard found.classes.count < Self.classLimit else { return nil }
        var new = DeliveryClass(
            key: key, sourceMAC: mac, destinationMAC: destinationMAC, from: a, to: b, outerSource: outer.source, outerDestination: outer.destination,
            protocolNumber: outer.protocolNumber, port: port)
        let index = Int32(found.classes.count)
        // The other direction of the same link: the MACs swapped (where both captures name them).
        if let r = found.classes.firstIndex(where: {
            $0.outerSource == outer.destination && $0.outerDestination == outer.source
                && $0.protocolNumber == outer.protocolNumber && $0.port == port
                && (destinationMAC == nil || $0.destinationMAC == nil
                    ? $0.sourceMAC != mac : $0.sourceMAC == destinationMAC && $0.destinationMAC == mac)
        }) {
            new.reverse = Int32(r)
            if found.classes[r].reverse < 0 { found.classes[r].reverse = index }
        }
        found.classes.append(new)
        classIndex.update(key) { $0 = index }
        return index
    }

    /// Takes the oldest pending packet off the ring; returns it and its slot.
    private mutating func dequeue() -> (PendingPacket, slot: Int32) {
        let slot = Int32(head)
        let e = ring[head]
        head = (head + 1) & (ring.count - 1)
        queued -= 1
        return (e, slot)
    }

    /// Makes the ring, or doubles it: its packets move, in order, to the first slots, and
    /// `pending` follows them.
    private mutating func growRing() {
        var grown = ZeroedSlots<PendingPacket>(count: ring.isEmpty ? Self.firstRingSize : 2 * ring.count)
        let size = ring.count
        for i in 0..<queued { grown[i] = ring[(head + i) & (size - 1)] }
        let head = head
        pending.renumber(count: queued, key: { grown[$0].key }, from: { (head + $0) & (size - 1) })
        ring = grown
        self.head = 0
    }

    /// Judges the oldest pending packet: who saw it, and who would have and did not.
    private mutating func complete() {
        let (e, slot) = dequeue()
        let entry = pending.find(e.key) { $0 == Int(slot) }
        if entry.position != nil { pending.remove(slot: entry.slot) }
        judge(e)
    }

    private mutating func judge(_ e: PendingPacket) {
        let c = found.classes[Int(e.classIndex)]
        // Points that saw this class or its other direction by the end of the packet's window:
        // what they saw later does not count, whenever the packet is judged.
        let watchers = watching(e.classIndex, by: e.time &+ Self.window) | watching(c.reverse, by: e.time &+ Self.window)
        for k in 0..<e.sightingCount {
            let (p, tp) = (e.sightings[k].ref.point.index, e.sightings[k].time)
            for l in (k + 1)..<max(k + 1, e.sightingCount) {
                let (q, tq) = (e.sightings[l].ref.point.index, e.sightings[l].time)
                guard let x = pair(e.classIndex, min(p, q), max(p, q)) else { continue }
                found.pairs[x].both += 1
                let delay = p < q ? tq &- tp : tp &- tq
                if delay < found.pairs[x].minimumDelay { found.pairs[x].minimumDelay = delay }
            }
        }
        // Every point that watches this class, did not see the packet, and was capturing around it.
        var missing = watchers & ~e.points
        while missing != 0 {
            let q = Int32(missing.trailingZeroBitCount)
            missing &= missing - 1
            guard q < 63, Int(q) < firstTime.count, firstTime[Int(q)] <= e.time &- Self.window else { continue }
            for k in 0..<e.sightingCount {
                let p = e.sightings[k].ref.point.index
                guard let x = pair(e.classIndex, min(p, q), max(p, q)) else { continue }
                let missed = Missed(pair: Int32(x), lowSide: p < q, ref: e.sightings[k].ref, time: e.time)
                // Lost once q's capture reaches past the window; until then q may have stopped.
                if lastTime[Int(q)] >= e.time &+ Self.window { count(missed) } else { wait(missed, at: Int(q)) }
            }
        }
    }

    /// The points that had seen class `c` (none when -1) by `time`.
    private func watching(_ c: Int32, by time: Int64) -> UInt64 {
        guard c >= 0 else { return 0 }
        var mask: UInt64 = 0
        var seen = found.classes[Int(c)].points
        while seen != 0 {
            let q = Int32(seen.trailingZeroBitCount)
            seen &= seen - 1
            if let first = classSeen.value(for: Self.seenKey(c, q)), first <= time { mask |= Self.bit(q) }
        }
        return mask
    }

    static func seenKey(_ c: Int32, _ point: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: c)) << 32 | UInt64(UInt32(bitPattern: point))
    }

    /// A packet one point of a pair saw and the other did not.
    private mutating func count(_ m: Missed) {
        let x = Int(m.pair)
        if m.lowSide {
            found.pairs[x].onlyLow += 1
            if found.pairs[x].firstOnlyLow.count < Self.evidenceLimit { found.pairs[x].firstOnlyLow.append(m.ref) }
        } else {
            found.pairs[x].onlyHigh += 1
            if found.pairs[x].firstOnlyHigh.count < Self.evidenceLimit { found.pairs[x].firstOnlyHigh.append(m.ref) }
        }
    }

    /// Keeps a missed packet until point `q` captures past its window (oldest dropped when full).
    private mutating func wait(_ m: Missed, at q: Int) {
        if q >= waiting.count { waiting.append(contentsOf: repeatElement(MissedQueue(), count: q + 1 - waiting.count)) }
        if waiting[q].buffer.isEmpty { waiting[q].buffer = [Missed](repeating: m, count: Self.waitingCapacity) }
        if waiting[q].count == Self.waitingCapacity {
            waiting[q].head = (waiting[q].head + 1) % Self.waitingCapacity
            waiting[q].count -= 1
            found.undecided += 1
        }
        waiting[q].buffer[(waiting[q].head + waiting[q].count) % Self.waitingCapacity] = m
        waiting[q].count += 1
    }

    /// Counts the missed packets whose window point `q`'s capture has now passed.
    private mutating func decide(at q: Int) {
        guard q < waiting.count else { return }
        while waiting[q].count > 0 {
            let m = waiting[q].buffer[waiting[q].head]
            guard lastTime[q] >= m.time &+ Self.window else { return }
            waiting[q].head = (waiting[q].head + 1) % Self.waitingCapacity
            waiting[q].count -= 1
            count(m)
        }
    }

    /// The counters of two points of a class (nil beyond the bound).
    private mutating func pair(_ c: Int32, _ low: Int32, _ high: Int32) -> Int? {
        let key = UInt64(UInt32(bitPattern: c)) << 32 | UInt64(UInt16(truncatingIfNeeded: low)) << 16
            | UInt64(UInt16(truncatingIfNeeded: high))
        if let x = pairIndex.value(for: key) { return Int(x) }
        guard found.pairs.count < Self.pairLimit else { return nil }
        found.pairs.append(DeliveryPair(classIndex: c, low: low, high: high))
        let x = Int32(found.pairs.count - 1)
        pairIndex.update(key) { $0 = x }
        return Int(x)
    }

    func finish() -> DeliveryFindings {
        var copy = self
        // Without `complete()`: clearing each packet from `pending` would copy that table and
        // the ring, which `copy` still shares with `self`.
        while copy.queued > 0 {
            let (e, _) = copy.dequeue()
            copy.judge(e)
        }
        // What still waits is judged against each point's last frame.
        for q in copy.waiting.indices { copy.decide(at: q) }
        return copy.found
    }
}
