// Waiting on several descriptors at once (`poll(2)`): the live interfaces'
// selectable descriptors plus a wake-up pipe that a signal handler writes to.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Waits until one of a fixed set of descriptors is readable (or in error), or a timeout passes.
public struct DescriptorPoller {
    private var entries: [pollfd]

    /// Descriptors below zero are ignored (poll skips negative descriptors).
    public init(descriptors: [Int32]) {
        entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
    }

    /// Waits at most `timeoutMilliseconds`. Returns false when interrupted by a
    /// signal (EINTR) or on timeout with nothing ready; true when something is.
    @discardableResult
    public mutating func wait(timeoutMilliseconds: Int32) -> Bool {
        let rc = entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeoutMilliseconds) }
        if rc <= 0 {
            for i in entries.indices { entries[i].revents = 0 }
            return false
        }
        return true
    }

    /// True when descriptor `index` (in the order given) was reported readable or in error by the last `wait`.
    public func isReady(_ index: Int) -> Bool {
        entries[index].revents & Int16(POLLIN | POLLERR | POLLHUP | POLLNVAL) != 0
    }

    /// True when descriptor `index` was reported in error or hung up by the last `wait`.
    public func hasError(_ index: Int) -> Bool {
        entries[index].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
    }
}
