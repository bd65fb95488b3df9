// A rolling verdict over the last window, in bounded memory.
//
// The window is cut into slices. Only the current slice has a live
// VerificationSession; when a slice ends its session is judged once and only
// that verdict is kept (a few kB: bounded evidence and counts), and the session
// and its tables are dropped. Memory is therefore one session's bounded tables
// plus `slices` small verdicts, whatever the traffic rate or uptime; the window
// verdict is those verdicts merged with the current slice's (WindowVerdict).
// The cost: a packet pair that straddles a slice boundary is not matched
// across it, which is why slices last seconds while packets cross a host in
// microseconds.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
import CrosswireVerdict
import CrosswireVerify

/// One capture point of a watch: how the session names it and its link type.
public struct WatchedInterface: Sendable {
    public var name: String
    public var linkType: LinkType
    public var linkTypeName: String
    public init(name: String, linkType: LinkType, linkTypeName: String) {
        self.name = name; self.linkType = linkType; self.linkTypeName = linkTypeName
    }
}

/// A judged slice, and what its session found beyond the verdict.
public struct ClosedSlice: Sendable {
    public var verdict: Verdict
    public var nat: NATCounts
}

/// The verdict over the last `window`, recomputed from per-slice sessions.
public struct RollingVerdict {
    public private(set) var plan: Plan
    public let interfaces: [WatchedInterface]
    /// Slice length in nanoseconds of the caller's clock.
    public let sliceNanoseconds: Int64
    public let sliceCount: Int
    private var session: VerificationSession
    private var captureIDs: [CaptureID] = []
    /// When the current slice started (caller's clock, nanoseconds).
    public private(set) var sliceStart: Int64
    /// Closed slices inside the window, oldest first (at most sliceCount - 1).
    public private(set) var closed: [ClosedSlice] = []
    private var drops: [CaptureDrops?]

    /// `window` split into `slices` (at least 1) slices, starting at `now` (nanoseconds).
    public init(plan: Plan, interfaces: [WatchedInterface], windowNanoseconds: Int64, slices: Int, now: Int64) {
        self.plan = plan
        self.interfaces = interfaces
        sliceCount = max(1, slices)
        sliceNanoseconds = max(1, windowNanoseconds / Int64(max(1, slices)))
        sliceStart = now
        drops = Array(repeating: nil, count: interfaces.count)
        session = VerificationSession(plan: plan)
        captureIDs = Self.register(interfaces, in: &session)
    }

    private static func register(_ interfaces: [WatchedInterface], in session: inout VerificationSession) -> [CaptureID] {
        interfaces.map { session.addCapture(path: $0.name, linkType: $0.linkType, linkTypeName: $0.linkTypeName) }
    }

    /// Feeds one frame of interface `index` to the current slice.
    public mutating func observe(interface index: Int, info: FrameInfo, bytes: borrowing RawSpan) {
        session.observe(capture: captureIDs[index], info: info, bytes: bytes)
    }

    /// The kernel's cumulative drop counters of interface `index` (shown in every later slice).
    public mutating func setDrops(interface index: Int, _ d: CaptureDrops) {
        drops[index] = d
        session.setDrops(capture: captureIDs[index], d)
    }

    /// Closes every slice that ended by `now`; returns the closed slices (for counters), oldest first.
    public mutating func advance(to now: Int64) -> [ClosedSlice] {
        var ended: [ClosedSlice] = []
        while now - sliceStart >= sliceNanoseconds {
            let slice = ClosedSlice(verdict: session.verdict(), nat: session.findings().natCounts)
            ended.append(slice)
            closed.append(slice)
            if closed.count > sliceCount - 1 { closed.removeFirst(closed.count - (sliceCount - 1)) }
            sliceStart += sliceNanoseconds
            startSession()
            // After a long stall, skip empty slices instead of judging each.
            if now - sliceStart >= Int64(sliceCount) * sliceNanoseconds {
                sliceStart = now - (now - sliceStart) % sliceNanoseconds
                closed.removeAll()
            }
        }
        return ended
    }

    private mutating func startSession() {
        session = VerificationSession(plan: plan)
        captureIDs = Self.register(interfaces, in: &session)
        for (i, d) in drops.enumerated() { if let d { session.setDrops(capture: captureIDs[i], d) } }
    }

    /// The verdict over the closed slices in the window and the current one.
    public func windowVerdict() -> Verdict {
        WindowVerdict.merge(closed.map(\.verdict) + [session.verdict()])
    }

    /// Replaces the plan (SIGHUP): the window starts again, judged by the new plan.
    public mutating func reload(plan: Plan, now: Int64) {
        self.plan = plan
        closed.removeAll()
        sliceStart = now
        startSession()
    }
}
