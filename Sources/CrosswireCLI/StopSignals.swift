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

import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The signal that asked to stop (0: none yet; -1: the loop stopped by itself).
private let stopState = Atomic<Int32>(0)
/// The write end of the wake-up pipe (-1 until installed).
private let wakeWriteEnd = Atomic<Int32>(-1)

private func stopSignalHandler(_ signal: Int32) {
    if stopState.exchange(signal, ordering: .sequentiallyConsistent) != 0 {
        _exit(128 + signal)
    }
    var byte: UInt8 = 1
    let fd = wakeWriteEnd.load(ordering: .sequentiallyConsistent)
    if fd >= 0 { _ = write(fd, &byte, 1) }
}

/// SIGHUP seen and not yet taken by the loop.
private let reloadState = Atomic<Bool>(false)

private func reloadSignalHandler(_ signal: Int32) {
    reloadState.store(true, ordering: .sequentiallyConsistent)
    var byte: UInt8 = 1
    let fd = wakeWriteEnd.load(ordering: .sequentiallyConsistent)
    if fd >= 0 { _ = write(fd, &byte, 1) }
}

/// SIGINT and SIGTERM handling for a capture loop.
enum StopSignals {
    /// The read end of the wake-up pipe: readable once a stop signal arrived. Poll it with the capture descriptors.
    private(set) nonisolated(unsafe) static var wakeDescriptor: Int32 = -1

    /// Installs the handlers (sigaction, without SA_RESTART so that poll returns EINTR).
    static func install() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            wakeDescriptor = fds[0]
            wakeWriteEnd.store(fds[1], ordering: .sequentiallyConsistent)
        }
        stopState.store(0, ordering: .sequentiallyConsistent)
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = stopSignalHandler
        #else
            action.__sigaction_u.__sa_handler = stopSignalHandler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        // A blocked mask is inherited across exec (some launchers block these signals in
        // their threads): unblock them, or a stop request would stay pending forever.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal that asked to stop, or nil.
    static var received: Int32? {
        let s = stopState.load(ordering: .sequentiallyConsistent)
        return s > 0 ? s : nil
    }

    /// Installs the SIGHUP handler (after `install`, which creates the wake-up pipe).
    static func installReload() {
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = reloadSignalHandler
        #else
            action.__sigaction_u.__sa_handler = reloadSignalHandler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGHUP, &action, nil)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGHUP)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// True once per SIGHUP received; empties the wake-up pipe, which a reload leaves readable.
    static func takeReload() -> Bool {
        guard reloadState.exchange(false, ordering: .sequentiallyConsistent) else { return false }
        var buffer = [UInt8](repeating: 0, count: 64)
        while wakeDescriptor >= 0, received == nil, read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        return true
    }

    /// Marks the loop as stopped: from now on any stop signal ends the process at once.
    static func loopEnded() {
        _ = stopState.compareExchange(expected: 0, desired: -1, ordering: .sequentiallyConsistent)
    }
}
