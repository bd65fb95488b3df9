// The flow fast path (issue 20). Most packets of a capture belong to flows the
// analysers have already seen: the 500th segment of one TCP connection says
// nothing new about NAT, routes or tunnels. The flow table sits in front of the
// analysers and keys each frame by its capture point and its whole header stack
// (encapsulations, addresses, ports, TTLs, MACs, VLANs, TCP flags but PSH/ECE/CWR,
// header lengths and offsets). Each analyser declares in its own file what makes a
// packet new to it (`PacketAnalyser.isNew`). A packet new to none is not handed
// over: it only adds to its flow's pending counts, which are credited to every
// analyser (`PacketAnalyser.credit`) when the flow is evicted and when findings
// are taken, so counts and byte totals stay exact. Packets of one key differ only
// in what `credit` adds up (lengths, identifiers, sequence numbers, times).

import CrosswireDecoder

/// What the flow table tells an analyser about a frame's flow.
public struct FlowSighting: Sendable {
    /// Frames of this flow at this capture point so far, this one included (1: the first);
    /// 0 when the frame belongs to no flow (`FlowKey.of`).
    public var position: UInt32
    /// The packet's innermost IP level (`DecodedPacket.innermostIPLevel`), found once for every
    /// analyser's `isNew`; nil when it has none or belongs to no flow.
    public var innermostIPLevel: Int?
    /// Where the flow table keeps the flow (`FlowIndex.sight`); -1 with no flow.
    var slot: Int32 = -1
    /// Bit n: the nth analyser's `flowFact` for this flow, worked out at its first packet.
    var facts: UInt64 = 0
    /// During an analyser's `isNew`: its own `flowFact` for this flow (from `facts`).
    public internal(set) var fact = false
    public static let none = FlowSighting(position: 0, innermostIPLevel: nil)
}

extension FrameContext {
    /// `p.innermostIPLevel`, as the flow table found it for a frame of a flow: the analysers
    /// each walked the levels for it.
    @inline(__always)
    func innermostIPLevel(of p: PacketView) -> Int? { flow.position > 0 ? flow.innermostIPLevel : p.innermostIPLevel }
}

/// What the packets of one flow share, as the analysers' `credit` needs it.
public struct FlowSummary: BitwiseCopyable {
    /// The flow's first frame: its capture and capture point.
    var ref: FrameRef
    /// Level 0's Ethernet addresses (nil without Ethernet).
    var linkSource: MACAddress?
    var linkDestination: MACAddress?
    var outerSource: IPAddress
    var outerDestination: IPAddress
    /// The innermost IP level and its addresses and ports.
    var innerLevel: Int
    var inner: Endpoints
    /// The outermost tunnel (nil: none), its level's addresses and what it costs the underlay's MTU.
    var tunnel: TunnelSignature?
    var tunnelSource: IPAddress
    var tunnelDestination: IPAddress
    var tunnelCost: Int

    init(_ p: PacketView, ref: FrameRef) {
        self.ref = ref
        let eth = p.levels[0].ethernet
        linkSource = eth?.source
        linkDestination = eth?.destination
        let outer = p.levels[0].ip!
        outerSource = outer.source
        outerDestination = outer.destination
        innerLevel = p.innermostIPLevel ?? 0
        inner = Endpoints(p, level: innerLevel)
        if let l = p.firstTunnelLevel, let t = p.levels[l].tunnel, let ip = p.levels[l].ip {
            tunnel = TunnelSignature(kind: t.kind, vni: t.vni, port: t.udpPort)
            (tunnelSource, tunnelDestination) = (ip.source, ip.destination)
            tunnelCost = TunnelAnalyser.mtuCost(p, tunnelLevel: l, outer: ip, tunnel: t)
        } else {
            tunnel = nil
            (tunnelSource, tunnelDestination) = (outer.source, outer.destination)
            tunnelCost = 0
        }
    }
}

/// What the packets of a flow that no analyser observed add up to.
public struct FlowCounts: BitwiseCopyable {
    var packets = 0
    /// Their lengths on the wire.
    var bytes = 0
    /// The last of them, and its time.
    var last = FrameRef(capture: CaptureID(0), frame: 0)
    var lastTime = Timestamp(nanoseconds: 0)
    /// The highest TCP acknowledgement number among them (serial-number order), when one carried ACK.
    var acknowledgement: UInt32?

    mutating func add(length: Int, frame: FrameContext, acknowledgement ack: UInt32?) {
        packets += 1
        bytes += length
        last = frame.ref
        lastTime = frame.time
        if let ack, acknowledgement.map({ Int32(bitPattern: ack &- $0) > 0 }) ?? true { acknowledgement = ack }
    }
}

/// The key of a frame's flow.
enum FlowKey {
    /// The TCP flags a flow's key holds (an array literal here allocated on every frame).
    static let keptFlags = TCPFlags.syn.union(.fin).union(.rst).union(.ack).union(.urg)
    /// The capture point and every header field the packets of one flow share; nil when the
    /// frame belongs to no flow: not IP at level 0, a fragment, decoding stopped, a level
    /// without IP (inner ARP), or a control-plane message. Such frames always reach the analysers.
    @inline(__always)
    static func of(_ p: PacketView, point: CapturePointID) -> UInt64? {
        guard p.stop == nil, p.application == .none, p.levelCount > 0 else { return nil }
        var h = KeyHasher()
        h.add(UInt64(UInt32(bitPattern: point.index)) | UInt64(p.levelCount) << 32 | (p.isSnapped ? 1 << 40 : 0))
        // Each level by a constant index: the levels' switch then folds away and each field is
        // read in place (with a variable index, a whole level was copied for each field read).
        guard add(level: 0, of: p, to: &h) else { return nil }
        if p.levelCount > 1 { guard add(level: 1, of: p, to: &h) else { return nil } }
        if p.levelCount > 2 { guard add(level: 2, of: p, to: &h) else { return nil } }
        if p.levelCount > 3 { guard add(level: 3, of: p, to: &h) else { return nil } }
        if p.levelCount > 4 { guard add(level: 4, of: p, to: &h) else { return nil } }
        return h.value == 0 ? 1 : h.value  // 0 marks a free slot
    }

    /// Adds level `i`'s fields; false when it has no IP header or is a fragment.
    @inline(__always)
    private static func add(level i: Int, of p: PacketView, to h: inout KeyHasher) -> Bool {
        guard let ip = p.levels[i].ip, !ip.isFragment else { return false }
        let vlans = min(p.levels[i].vlanCount, 4)
        var level = UInt64(p.levels[i].origin.rawValue) | UInt64(p.levels[i].etherType) << 8
        level |= UInt64(vlans) << 24 | UInt64(ip.version) << 32 | UInt64(ip.ttl) << 40
        level |= UInt64(ip.protocolNumber) << 48
        if ip.dontFragment { level |= 1 << 56 }
        if ip.lengthFromFrame { level |= 1 << 57 }
        h.add(level)
        for v in 0..<vlans {
            let tag = p.levels[i].vlans[v]
            h.add(UInt64(tag.tpid) << 32 | UInt64(tag.priority) << 16 | (tag.dropEligible ? 1 << 20 : 0) | UInt64(tag.id))
        }
        if let e = p.levels[i].ethernet { h.add(e.source.rawValue); h.add(e.destination.rawValue | 1 << 48) }
        if let c = p.levels[i].cooked {
            h.add(c.source.rawValue | UInt64(c.packetType) << 48); h.add(UInt64(c.interfaceIndex) | UInt64(c.hardwareType) << 32)
        }
        if case .v4(let s) = ip.source, case .v4(let d) = ip.destination {
            h.add(UInt64(s.rawValue) << 32 | UInt64(d.rawValue))
        } else {
            h.add(IPAddressKey(ip.source)); h.add(IPAddressKey(ip.destination))
        }
        h.add(UInt64(ip.offset) | UInt64(ip.headerLength) << 24)
        let t = p.levels[i].transport
        // PSH, ECE and CWR come and go within a flow, and no analyser reads them.
        let flags = t.tcpFlags.intersection(Self.keptFlags).rawValue
        var ports = UInt64(t.sourcePort) | UInt64(t.destinationPort) << 16 | UInt64(t.kind.rawValue) << 32
        ports |= UInt64(flags) << 40 | UInt64(t.icmpType) << 52
        if t.tcpMD5Signature { ports |= 1 << 60 }
        if t.headerLength > 0 { ports |= 1 << 61 }
        h.add(ports)
        if t.kind == .icmp || t.kind == .icmpv6 { h.add(UInt64(t.icmpCode)) }
        if let tunnel = p.levels[i].tunnel {
            h.add(UInt64(tunnel.kind.rawValue) | UInt64(tunnel.vni ?? 0xFFFF_FFFF) << 8 | UInt64(tunnel.udpPort) << 40)
            h.add(UInt64(tunnel.offset) | UInt64(tunnel.headerLength) << 24 | UInt64(tunnel.innerOffset) << 40)
        }
        return true
    }
}

/// The flows seen lately, with what their unobserved packets add up to. In two halves, so
/// that two threads share the work (ParallelRead.swift): `index` finds each frame's flow on
/// the reading thread, and `pending` adds up what no analyser observed on the analysers' one.
struct FlowTable {
    /// Flows kept by default (about 300 bytes each); the slots are made at the first frame.
    static let defaultCapacity = 1 << 15
    var index: FlowIndex
    var pending: FlowPending

    init(capacity: Int = FlowTable.defaultCapacity) {
        index = FlowIndex(capacity: capacity)
        pending = FlowPending(capacity: index.capacity)
    }

    var capacity: Int { index.capacity }
    /// Frames no analyser observed.
    var credited: Int { pending.credited }
}

/// Where each flow is kept: a slot, found by its key. Bounded: when a probe run is full, its
/// least recently seen flow makes room (`FlowPending.start` credits what it had pending).
struct FlowIndex {
    /// A flow's key, its frames so far, and when it was last seen; 16 bytes, so that a probe
    /// run reads one or two cache lines.
    struct Entry {
        var key: UInt64
        var position: UInt32
        var stamp: UInt32
    }
    private static var probeLimit: Int { 8 }
    /// A power of two.
    let capacity: Int
    private var entries = ZeroedSlots<Entry>()
    /// Per slot: the analysers' `flowFact`s for its flow (`FlowSighting.facts`).
    private var facts = ZeroedSlots<UInt64>()
    private var clock: UInt32 = 0
    private var mask: Int { capacity - 1 }
    /// Flows that made room for a new one.
    private(set) var evictions = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        self.capacity = size
    }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: key >> 17) & mask }

    /// Counts one more frame of `key`'s flow; returns its slot and the frame's position in the
    /// flow (1: a new flow, which took the slot).
    mutating func sight(_ key: UInt64) -> (slot: Int, position: UInt32) {
        // Zero bytes are an empty entry (key 0).
        if entries.isEmpty {
            entries = ZeroedSlots(count: capacity)
            facts = ZeroedSlots(count: capacity)
        }
        clock &+= 1
        var i = home(key)
        var free = -1, oldest = i
        for _ in 0..<Self.probeLimit {
            let e = entries[i]
            if e.key == key {
                // Saturates: a position of 1 always means a new flow.
                let position = e.position == .max ? e.position : e.position + 1
                entries[i] = Entry(key: key, position: position, stamp: clock)
                return (i, position)
            }
            if e.key == 0 { free = i; break }
            if clock &- e.stamp > clock &- entries[oldest].stamp { oldest = i }
            i = (i + 1) & mask
        }
        // No deletion ever leaves a hole, so replacing in place keeps every probe run whole.
        if free < 0 { evictions += 1 }
        let slot = free >= 0 ? free : oldest
        entries[slot] = Entry(key: key, position: 1, stamp: clock)
        return (slot, 1)
    }

    /// The facts kept for the flow at `slot` (valid once `remember` set them, at its first packet).
    @inline(__always) func facts(at slot: Int) -> UInt64 { facts[slot] }
    @inline(__always) mutating func remember(_ value: UInt64, at slot: Int) { facts[slot] = value }
}

/// What the packets of each flow that no analyser observed add up to, by slot.
struct FlowPending {
    let capacity: Int
    /// Per slot: its flow's first frame (valid once the slot started a flow); its pending
    /// counts (zero bytes: none); what its packets share, made at the first pending packet
    /// (valid while `counts[slot].packets > 0`).
    private var firsts = ZeroedSlots<FrameRef>()
    private var counts = ZeroedSlots<FlowCounts>()
    private var summaries = ZeroedSlots<FlowSummary?>()
    /// A bit per slot that started a flow: a slot that never did has nothing pending, and is
    /// not read first (see FixedHashTable.swift: a read before the first write costs a fault more).
    private var started: [UInt64] = []
    /// Frames no analyser observed.
    private(set) var credited = 0

    init(capacity: Int) { self.capacity = capacity }

    /// Starts the flow that took `slot` (`FlowIndex.sight`) at frame `ref`; returns what the
    /// flow it replaced had pending, which the caller credits.
    mutating func start(_ slot: Int, ref: FrameRef) -> (FlowSummary, FlowCounts)? {
        if firsts.isEmpty {
            firsts = ZeroedSlots(count: capacity)
            counts = ZeroedSlots(count: capacity)
            summaries = ZeroedSlots(count: capacity)
            started = Array(repeating: 0, count: (capacity + 63) / 64)
        }
        var evicted: (FlowSummary, FlowCounts)?
        if started[slot >> 6] & (1 << (slot & 63)) == 0 {
            started[slot >> 6] |= 1 << (slot & 63)
        } else if counts[slot].packets > 0, let s = summaries[slot] {
            evicted = (s, counts[slot])
        }
        firsts[slot] = ref
        counts[slot].packets = 0
        return evicted
    }

    /// Adds `packet`, which no analyser observed, to the pending counts of its flow at `slot`.
    /// The packets of one flow share every field of a summary, so the first of them makes it.
    mutating func count(_ slot: Int, packet: PacketView, frame: FrameContext, acknowledgement: UInt32?) {
        if counts[slot].packets == 0 {
            counts[slot] = FlowCounts()
            summaries[slot] = FlowSummary(packet, ref: firsts[slot])
        }
        counts[slot].add(length: packet.originalLength, frame: frame, acknowledgement: acknowledgement)
        credited += 1
    }

    /// Every flow with pending counts.
    func forEachPending(_ body: (FlowSummary, FlowCounts) -> Void) {
        for i in 0..<counts.count where counts[i].packets > 0 {
            if let s = summaries[i] { body(s, counts[i]) }
        }
    }
}
