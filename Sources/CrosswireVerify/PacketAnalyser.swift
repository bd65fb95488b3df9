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
    /// The findings over every frame observed so far. Does not change the analyser,
    /// so observing can go on (a live capture reports more than once).
    func finish() -> Output
    /// Where its findings go in the run's `Findings`.
    static var findingsPath: WritableKeyPath<Findings, Output> { get }
}

/// Which thread runs an analyser with `verify -j 2` (see ParallelRead.swift).
public enum AnalyserThread: Sendable {
    /// The calling thread.
    case first
    /// The helper thread.
    case second
}

/// Something done to every registered analyser in turn (`Analysers.forEach`).
/// Generic, so that the list is walked with static calls: no box, no existential.
/// The frame's packet and bytes are parameters, borrowed all the way: never copied.
protocol AnalyserVisitor {
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, thread: AnalyserThread, packet: borrowing DecodedPacket, bytes: borrowing RawSpan)
}

/// Hands one frame to the analysers of `thread` (all when nil).
struct FrameVisitor: AnalyserVisitor {
    let frame: FrameContext
    let thread: AnalyserThread?

    @inline(__always)
    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, thread: AnalyserThread, packet: borrowing DecodedPacket, bytes: borrowing RawSpan
    ) {
        guard self.thread == nil || self.thread == thread else { return }
        analyser.observe(packet, bytes: bytes, frame: frame)
    }
}

/// Collects the findings of the analysers of `thread` (all when nil).
struct FinishVisitor: AnalyserVisitor {
    var findings: Findings
    let thread: AnalyserThread?

    mutating func visit<A: PacketAnalyser>(
        _ analyser: inout A, thread: AnalyserThread, packet _: borrowing DecodedPacket, bytes _: borrowing RawSpan
    ) {
        guard self.thread == nil || self.thread == thread else { return }
        findings[keyPath: A.findingsPath] = analyser.finish()
    }
}
