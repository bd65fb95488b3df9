// The one shape of every analyser: it observes decoded packets one by one and
// finishes into a plain findings value, which the checks judge.

import CrosswireDecoder

/// A stage that turns packets into findings (counts, tables, evidence references).
/// It borrows the decoded packet and the frame's bytes; both are valid only during
/// the call, so it keeps integers, addresses and `FrameRef`s, never a view.
public protocol PacketAnalyser {
    associatedtype Findings
    init(topology: Topology)
    /// Called once per frame of every capture, in capture order.
    mutating func observe(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext)
    /// The findings over every frame observed so far. Does not change the analyser,
    /// so observing can go on (a live capture reports more than once).
    func finish() -> Findings
}

/// Which thread runs an analyser with `verify -j 2` (see ParallelRead.swift).
public enum AnalyserThread: Sendable {
    /// The calling thread.
    case first
    /// The helper thread.
    case second
}

/// A registered analyser, boxed so that the registry is one list of one type.
/// Created once per session; per frame it costs a dynamic call, no allocation.
class AnalyserSlot {
    let thread: AnalyserThread
    init(thread: AnalyserThread) { self.thread = thread }
    func observe(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext) {}
    func finish(into findings: inout Findings) {}
    /// A slot with the same analyser (its state copied), for a session that must not share it.
    func copy() -> AnalyserSlot { self }
}

final class RegisteredAnalyser<A: PacketAnalyser>: AnalyserSlot {
    var analyser: A
    let findings: WritableKeyPath<Findings, A.Findings>

    init(_ analyser: A, findings: WritableKeyPath<Findings, A.Findings>, thread: AnalyserThread) {
        self.analyser = analyser
        self.findings = findings
        super.init(thread: thread)
    }

    override func observe(_ packet: borrowing DecodedPacket, bytes: borrowing RawSpan, frame: FrameContext) {
        analyser.observe(packet, bytes: bytes, frame: frame)
    }

    override func finish(into all: inout Findings) { all[keyPath: findings] = analyser.finish() }

    override func copy() -> AnalyserSlot { RegisteredAnalyser(analyser, findings: findings, thread: thread) }
}
