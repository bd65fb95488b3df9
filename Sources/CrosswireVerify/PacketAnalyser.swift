// The one shape of every analyser: it observes decoded packets one by one and
// finishes into a plain findings value, which the checks judge.

import CrosswireDecoder

/// A stage that turns packets into findings (counts, tables, evidence references).
/// It reads the decoded packet through a `PacketView` and borrows the frame's bytes;
/// both are valid only during the call, so it keeps integers, addresses and
/// `FrameRef`s, never the view.
public protocol PacketAnalyser {
    /// Its findings: a plain value the checks read.
    associatedtype Output
    init(topology: Topology)
    /// Called once per frame of every capture, in capture order.
    mutating func observe(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext)
    /// The same, with what the frame's analysers share (`FrameMemo`): how the visitors call
    /// it. The default calls `observe(_:bytes:frame:)`.
    mutating func observe(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext, memo: inout FrameMemo)
    /// True when `packet` may change its findings by more than `credit` adds for it: the flow
    /// fast path (FlowTable.swift) hands it a packet of a known flow only then. `frame.flow`
    /// tells where in its flow the packet is, and `frame.flow.fact` its `flowFact` for the
    /// flow. The default, true, sees every packet.
    func isNew(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext) -> Bool
    /// Part of `isNew` that is the same for every packet of a flow, such as a topology lookup
    /// of its addresses: the flow's key fixes its addresses, ports, ICMP types and codes,
    /// tunnels and kept TCP flags (FlowTable.swift). Asked once, at a flow's first packet;
    /// `isNew` reads the answer as `frame.flow.fact`. The default, false, is never read.
    func flowFact(_ packet: PacketView, frame: FrameContext) -> Bool
    /// Adds what `counts.packets` packets of `flow` that it did not observe add to its counts and totals.
    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts)
    /// True when its `credit` adds up counts, so a packet it observes must not be credited
    /// to it too: such a packet then goes to every analyser. False (the default, right for no
    /// credit or a maximum): a packet new only to such analysers goes to them alone, and the
    /// flow's pending counts take it for the others. An analyser that declares nothing sees
    /// every packet, and the others keep their fast path.
    static var creditsAddUp: Bool { get }
    /// The findings over every frame observed so far. Does not change the analyser,
    /// so observing can go on (a live capture reports more than once).
    func finish() -> Output
    /// Where its findings go in the run's `Findings`.
    static var findingsPath: WritableKeyPath<Findings, Output> { get }
}

extension PacketAnalyser {
    @inline(__always)
    mutating func observe(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext, memo _: inout FrameMemo) {
        observe(packet, bytes: bytes, frame: frame)
    }
    @inline(__always)
    func isNew(_: PacketView, bytes _: borrowing RawSpan, frame _: FrameContext) -> Bool { true }
    @inline(__always)
    func flowFact(_: PacketView, frame _: FrameContext) -> Bool { false }
    mutating func credit(_: FlowSummary, _: FlowCounts) {}
    static var creditsAddUp: Bool { false }

    /// `isNew`, asked as the analyser whose fact is bit `bit` of `frame.flow.facts` (the
    /// visitors' one way of asking). Inlined, the frame it asks with differs only in `fact`:
    /// a copy kept in a visitor was read back whole right after the frame was made, before
    /// its fields reached the cache, which stalled every frame.
    @inline(__always)
    func isNew(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext, factBit bit: UInt64) -> Bool {
        var asked = frame
        asked.flow.fact = frame.flow.facts & bit != 0
        return isNew(packet, bytes: bytes, frame: asked)
    }
}

/// Something done to every registered analyser in turn (`Analysers.forEach`).
/// Generic, so that the list is walked with static calls: no box, no existential.
/// The frame's packet (a view), bytes and context are parameters, lent all the way: never
/// copied (a context a visitor kept was copied for each analyser's call).
protocol AnalyserVisitor {
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext)
}

/// Hands one frame to the analysers of a set (bit n: the nth of the list).
struct FrameVisitor: AnalyserVisitor {
    var analysers = Self.everyAnalyser
    /// The bit of the analyser visited next, shifted along the list: `1 << index`, with its
    /// checks, cost about 12 instructions an analyser a frame (the same in each visitor).
    private var bit: UInt64 = 1
    /// Shared by the frame's analysers.
    private var memo = FrameMemo()
    static let everyAnalyser = UInt64.max

    init(analysers: UInt64 = Self.everyAnalyser) { self.analysers = analysers }

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext
    ) {
        defer { bit &<<= 1 }
        guard analysers & bit != 0 else { return }
        analyser.observe(packet, bytes: bytes, frame: frame, memo: &memo)
    }
}

/// An analyser that uses what a frame's analysers share: it implements the `memo` form of
/// `observe`, and the plain form, called alone (in tests), makes a memo of its own.
protocol MemoAnalyser: PacketAnalyser {}

extension MemoAnalyser {
    mutating func observe(_ packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        var memo = FrameMemo()
        observe(packet, bytes: bytes, frame: frame, memo: &memo)
    }
}

/// Collects the findings of every analyser.
struct FinishVisitor: AnalyserVisitor {
    var findings: Findings

    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet _: PacketView, bytes _: borrowing RawSpan, frame _: FrameContext
    ) {
        findings[keyPath: A.findingsPath] = analyser.finish()
    }
}

/// Asks the analysers their `flowFact`s for a flow's first packet.
struct FactVisitor: AnalyserVisitor {
    /// Bit n: the nth analyser's fact.
    private(set) var facts: UInt64 = 0
    private var bit: UInt64 = 1

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: PacketView, bytes _: borrowing RawSpan, frame: FrameContext
    ) {
        if analyser.flowFact(packet, frame: frame) { facts |= bit }
        bit &<<= 1
    }
}

/// Asks the analysers which of them a packet is new to.
struct InterestVisitor: AnalyserVisitor {
    /// Bit n: new to the nth analyser of the list, whose credits do not add up.
    private(set) var wanted: UInt64 = 0
    /// New to one whose credits add up: every analyser observes it, and it is not counted as pending.
    private(set) var everyAnalyser = false
    private var bit: UInt64 = 1

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext
    ) {
        defer { bit &<<= 1 }
        guard !everyAnalyser, analyser.isNew(packet, bytes: bytes, frame: frame, factBit: bit) else { return }
        if A.creditsAddUp { everyAnalyser = true } else { wanted |= bit }
    }
}

/// Credits every analyser with a flow's packets it did not observe.
struct CreditVisitor: AnalyserVisitor {
    let flow: FlowSummary
    let counts: FlowCounts

    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet _: PacketView, bytes _: borrowing RawSpan, frame _: FrameContext
    ) {
        analyser.credit(flow, counts)
    }
}
