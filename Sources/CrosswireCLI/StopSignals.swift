// SIGINT/SIGTERM during `crosswire capture`: the first asks the capture loop
// to stop (the reports are then written); a second one, or one that arrives
// once the loop has already stopped, ends the process at once with 128+signal
// (130 for SIGINT, 143 for SIGTERM).
//
// SIGHUP (installed by `watch` only, with installReload) asks the loop to
// reload the plan; it wakes the loop through the same pipe.
//
// The handler does only async-signal-safe things: an atomic exchange, write(2)
// to a pipe the loop polls, and _exit(2).

import CrosswireCapture
import Synchronization

/// The signal that asked to stop (0: none yet; -1: the loop stopped by itself).
private let stopState = Atomic<Int32>(0)
/// The write end of the wake-up pipe (-1 until installed).
private let wakeWriteEnd = Atomic<Int32>(-1)

private func stopSignalHandler(_ signal: Int32) {
    if stopState.exchange(signal, ordering: .sequentiallyConsistent) != 0 {
        POSIX.exitImmediately(128 + signal)
    }
    var byte: UInt8 = 1
    let fd = wakeWriteEnd.load(ordering: .sequentiallyConsistent)
    if fd >= 0 { _ = POSIX.write(fd, &byte, 1) }
}

/// SIGHUP seen and not yet taken by the loop.
private let reloadState = Atomic<Bool>(false)

private func reloadSignalHandler(_ signal: Int32) {
    reloadState.store(true, ordering: .sequentiallyConsistent)
    var byte: UInt8 = 1
    let fd = wakeWriteEnd.load(ordering: .sequentiallyConsistent)
    if fd >= 0 { _ = POSIX.write(fd, &byte, 1) }
}

/// SIGINT and SIGTERM handling for a capture loop.
enum StopSignals {
    /// The read end of the wake-up pipe: readable once a stop signal arrived. Poll it with the capture descriptors.
    private(set) nonisolated(unsafe) static var wakeDescriptor: Int32 = -1

    /// Installs the handlers (without SA_RESTART so that poll returns EINTR), and unblocks the signals.
    static func install() {
        if let pipe = POSIX.nonBlockingPipe() {
            wakeDescriptor = pipe.readEnd
            wakeWriteEnd.store(pipe.writeEnd, ordering: .sequentiallyConsistent)
        }
        stopState.store(0, ordering: .sequentiallyConsistent)
        POSIXSignal.handle([POSIXSignal.interrupt, POSIXSignal.terminate], with: stopSignalHandler)
    }

    /// The signal that asked to stop, or nil.
    static var received: Int32? {
        let s = stopState.load(ordering: .sequentiallyConsistent)
        return s > 0 ? s : nil
    }

    /// Installs the SIGHUP handler (after `install`, which creates the wake-up pipe).
    static func installReload() {
        POSIXSignal.handle([POSIXSignal.hangUp], with: reloadSignalHandler)
    }

    /// True once per SIGHUP received; empties the wake-up pipe, which a reload leaves readable.
    static func takeReload() -> Bool {
        guard reloadState.exchange(false, ordering: .sequentiallyConsistent) else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        while wakeDescriptor >= 0, received == nil, buffer.withUnsafeMutableBytes({ POSIX.read(wakeDescriptor, into: $0) }) > 0 {}
        return true
    }

    /// Marks the loop as stopped: from now on any stop signal ends the process at once.
    static func loopEnded() {
        _ = stopState.compareExchange(expected: 0, desired: -1, ordering: .sequentiallyConsistent)
    }
}
