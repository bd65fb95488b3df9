// Reading captures on two cores. The registered analysers are split by their
// `AnalyserThread`; each half runs in its own session on its own thread, and each session reads and
// decodes every capture itself, interleaved by time with the same clock offsets. Nothing is shared while reading, so every
// analyser sees exactly the frames, in exactly the order, it would see alone:
// the verdict is the same as with one thread, by construction. Decoding is done
// twice (it is the cheap part); the analysers, most of the time, run side by side.

import CrosswireCapture
import CrosswirePlan
import Dispatch

/// A capture file to read and the name it gets in the verdict.
public struct CaptureSource: Sendable {
    public var path: String
    public var name: String?
    public init(path: String, name: String? = nil) { self.path = path; self.name = name }

    /// True when the capture can be read twice: a regular file. Standard input
    /// (`-`), a pipe or a device gives its packets once, to one reader.
    public var isRegularFile: Bool {
        guard path != "-" else { return false }
        return POSIX.isRegularFile(path)
    }
}

extension VerificationSession {
    /// Reads `sources` in order, like `read(path:name:progress:)` for each, with
    /// `threads` threads: 1 runs every analyser on the calling thread; 2 (or more)
    /// splits them in halves (the analysers registered for `.first` on the calling
    /// thread, those for `.second` on another), each half reading the files itself. The session must be
    /// fresh (no frame fed yet), and every source a regular file: otherwise (standard
    /// input, a pipe) one thread reads, since such a source can be read only once.
    /// `progress` is called on the calling thread only.
    public mutating func read(
        _ sources: [CaptureSource], threads: Int, progress: ((String, Int, Int) -> Void)? = nil
    ) throws(CaptureError) {
        guard threads > 1, captures.isEmpty, sources.allSatisfy(\.isRegularFile) else {
            try readInterleaved(sources, progress: progress)
            return
        }
        // The clock offsets once, for both halves.
        let offsets = sources.count > 1 ? ClockEstimate.estimate(sources, decoder: decoder) : []
        // A session of its own, made on its thread: a copy of this one would share its
        // tables until the first write, then copy them (megabytes) before the first frame.
        let other = SessionHandle(plan: plan, thread: .second, fastPath: fastPath)
        thread = .first
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global(qos: .userInitiated).async {
            other.start()
            other.readAll(sources, offsets: offsets)
            done.signal()
        }
        var failure: CaptureError?
        do {
            try readInterleaved(sources, offsets: offsets, progress: progress)
        } catch {
            failure = error
        }
        done.wait()
        if let failure { throw failure }
        if let failure = other.failure { throw failure }
        guard Self.readTheSameFrames(self, other.session) else {
            // A file that grew (still being written) or changed while it was read gave each
            // half what it found then: the halves would judge different traffic. Read again,
            // on one thread, which sees each file once.
            let fastPath = fastPath
            self = VerificationSession(plan: plan)
            self.fastPath = fastPath
            try read(sources, threads: 1, progress: progress)
            return
        }
        // This session's `.second` analysers did not run; the helper's did.
        var second = other.session.analysers
        second.credit(other.session.flows, thread: .second)
        helper = second
    }

    /// True when two sessions read the same frames of the same captures (counts, bytes,
    /// first and last timestamps, where reading stopped).
    static func readTheSameFrames(_ a: VerificationSession, _ b: VerificationSession) -> Bool {
        guard a.captures.count == b.captures.count else { return false }
        return zip(a.captures, b.captures).allSatisfy { x, y in
            x.packets == y.packets && x.bytes == y.bytes && x.firstTime == y.firstTime && x.lastTime == y.lastTime
                && x.incomplete?.frame == y.incomplete?.frame
        }
    }
}

/// The second thread's session. Only that thread touches it until the semaphore
/// it signals has been waited for; then only the caller does.
private final class SessionHandle: @unchecked Sendable {
    let plan: Plan
    let thread: AnalyserThread
    let fastPath: Bool
    var session: VerificationSession!
    var failure: CaptureError?

    init(plan: Plan, thread: AnalyserThread, fastPath: Bool) {
        self.plan = plan
        self.thread = thread
        self.fastPath = fastPath
    }

    func start() {
        session = VerificationSession(plan: plan)
        session.thread = thread
        session.fastPath = fastPath
    }

    func readAll(_ sources: [CaptureSource], offsets: [ClockEstimate]) {
        do throws(CaptureError) {
            try session.readInterleaved(sources, offsets: offsets)
        } catch {
            failure = error
        }
    }
}
