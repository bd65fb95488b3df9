// The one shape of every analyser: it observes decoded packets one by one and
// finishes into a plain findings value, which the checks judge.

import CrosswireDecoder

/// A stage that turns packets into findings (counts, tables, evidence references).
/// It borrows the decoded packet and the frame's bytes; both are valid only during
/// the call, so it keeps integers, addresses and `FrameRef`s, never a view.
public protocol PacketAnalyser {
    /// Its findings: a plain value the checks read.
    associatedtype Output
    init(topology: Topology)
    /// Called once per frame of every capture, in capture order.
    mutating func observe(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext)
    /// True when `packet` may change its findings by more than `credit` adds for it: the flow
    /// fast path (FlowTable.swift) hands it a packet of a known flow only then. `frame.flow`
    /// tells where in its flow the packet is. The default, true, sees every packet.
    func isNew(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext) -> Bool
    /// Adds what `counts.packets` packets of `flow` that it did not observe add to its counts and totals.
    mutating func credit(_ flow: FlowSummary, _ counts: FlowCounts)
    /// The findings over every frame observed so far. Does not change the analyser,
    /// so observing can go on (a live capture reports more than once).
    func finish() -> Output
    /// Where its findings go in the run's `Findings`.
    static var findingsPath: WritableKeyPath<Findings, Output> { get }
}

extension PacketAnalyser {
    func isNew(_: borrowing DecodedPacket, bytes _: borrowing RawSpan, frame _: FrameContext) -> Bool { true }
    mutating func credit(_: FlowSummary, _: FlowCounts) {}
}

/// Something done to every registered analyser in turn (`Analysers.forEach`).
/// Generic, so that the list is walked with static calls: no box, no existential.
/// The frame's packet and bytes are parameters, borrowed all the way: never copied.
protocol AnalyserVisitor {
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: borrowing DecodedPacket, bytes: borrowing RawSpan)
}

/// Hands one frame to every analyser.
struct FrameVisitor: AnalyserVisitor {
    let frame: FrameContext

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: borrowing DecodedPacket, bytes: borrowing RawSpan
    ) {
        analyser.observe(packet, bytes: bytes, frame: frame)
    }
}

/// Collects the findings of every analyser.
struct FinishVisitor: AnalyserVisitor {
    var findings: Findings

    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet _: borrowing DecodedPacket, bytes _: borrowing RawSpan
    ) {
        findings[keyPath: A.findingsPath] = analyser.finish()
    }
}

/// Asks the analysers whether a packet is new to one of them.
struct InterestVisitor: AnalyserVisitor {
    let frame: FrameContext
    var new = false

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet: borrowing DecodedPacket, bytes: borrowing RawSpan
    ) {
        guard !new else { return }
        new = analyser.isNew(packet, bytes: bytes, frame: frame)
    }
}

/// Credits every analyser with a flow's packets it did not observe.
struct CreditVisitor: AnalyserVisitor {
    let flow: FlowSummary
    let counts: FlowCounts

    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, packet _: borrowing DecodedPacket, bytes _: borrowing RawSpan
    ) {
        analyser.credit(flow, counts)
    }
}
