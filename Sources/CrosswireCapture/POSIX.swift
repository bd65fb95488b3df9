// The POSIX boundary, as PcapHandle.swift is libpcap's: file status, terminals,
// memory mappings, descriptors, signals, users and process exit under Swift
// names; the C name is in each doc comment. No other file of the package calls
// these C functions or imports the C library (ModuleHygieneTests), except
// CrosswireReport's own POSIX.swift: that module does not depend on this one.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Questions about files and descriptors.
public enum POSIX {
    /// True when `path` names a regular file (`stat`, `S_ISREG`): not a pipe, device or directory.
    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// True when `descriptor` is a terminal (`isatty`).
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// The size of a memory page (`sysconf(_SC_PAGESIZE)`).
    static var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    /// The text of error number `code` (`strerror`).
    public static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The text of the last error of this thread (`strerror(errno)`).
    public static var lastErrorText: String { errorText(errno) }

    /// True when the last call of this thread failed because a signal interrupted it (`errno == EINTR`).
    public static var lastErrorWasInterrupt: Bool { errno == EINTR }

    /// The error pending on socket `descriptor` (`getsockopt(SO_ERROR)`), or 0 when none or unknown.
    public static func pendingSocketError(_ descriptor: Int32) -> Int32 {
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &code, &size) == 0 ? code : 0
    }

    /// Writes at most `count` bytes from `bytes` to `descriptor` (`write`): the number
    /// written, or -1 (see `lastErrorWasInterrupt`). Async-signal-safe.
    public static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, bytes, count)
        #else
            Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// Reads at most `buffer.count` bytes into `buffer` (`read`): the number read, 0 at the
    /// end, or -1.
    public static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        #if canImport(Glibc)
            Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        #else
            Darwin.read(descriptor, buffer.baseAddress, buffer.count)
        #endif
    }

    /// A pipe whose two ends do not block (`pipe`, `fcntl(O_NONBLOCK)`), or nil.
    public static func nonBlockingPipe() -> (readEnd: Int32, writeEnd: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    /// Ends the process at once with `code`, without flushing or running handlers (`_exit`).
    /// Async-signal-safe.
    public static func exitImmediately(_ code: Int32) -> Never { _exit(code) }

    /// Ends the process with `code`, after flushing standard output (`exit`).
    public static func exit(_ code: Int32) -> Never {
        #if canImport(Glibc)
            Glibc.exit(code)
        #else
            Darwin.exit(code)
        #endif
    }
}

/// Signal numbers and handlers.
public enum POSIXSignal {
    /// `SIGINT`.
    public static var interrupt: Int32 { SIGINT }
    /// `SIGTERM`.
    public static var terminate: Int32 { SIGTERM }
    /// `SIGHUP`.
    public static var hangUp: Int32 { SIGHUP }

    /// Runs `handler` on each of `signals` (`sigaction`, no flags: without `SA_RESTART`, so that
    /// a blocking call such as `poll` returns `EINTR`), then unblocks them in this thread
    /// (`pthread_sigmask(SIG_UNBLOCK)`): a blocked mask is inherited across exec (some
    /// launchers block these signals in their threads), and a request would stay pending forever.
    public static func handle(_ signals: [Int32], with handler: @convention(c) (Int32) -> Void) {
        var action = sigaction()
        #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = handler
        #else
            action.__sigaction_u.__sa_handler = handler
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for signal in signals { sigaction(signal, &action, nil) }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in signals { sigaddset(&unblock, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }
}

/// Users and the process's identity.
public enum POSIXUser {
    /// The user and group ids of user `name` (`getpwnam`), or nil when there is no such user.
    public static func ids(of name: String) -> (user: UInt32, group: UInt32)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Sets the supplementary groups to `name`'s, plus `group` (`initgroups`). False on failure.
    public static func setSupplementaryGroups(of name: String, group: UInt32) -> Bool {
        #if canImport(Glibc)
            initgroups(name, group) == 0
        #else
            initgroups(name, Int32(bitPattern: group)) == 0
        #endif
    }

    /// Sets the group id (`setgid`). False on failure.
    public static func setGroup(_ group: UInt32) -> Bool { setgid(group) == 0 }

    /// Sets the user id (`setuid`). False on failure.
    public static func setUser(_ user: UInt32) -> Bool { setuid(user) == 0 }
}

/// Waits until one of a fixed set of descriptors is readable (or in error), or a timeout
/// passes (`poll`): the live interfaces' selectable descriptors plus a wake-up pipe that a
/// signal handler writes to.
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

    /// True when descriptor `index` was reported in error or hung up by the last `wait`.
    public func hasError(_ index: Int) -> Bool {
        entries[index].revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0
    }
}

/// A whole regular file mapped read-only and private (`open`, `fstat`, `mmap`);
/// unmapped (`munmap`) when it goes away.
final class FileMapping {
    let base: UnsafeRawPointer
    let size: Int

    /// Maps `path` when it is a regular file of at least `minimumSize` bytes; nil otherwise.
    init?(path: String, minimumSize: Int) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= minimumSize else { return nil }
        let size = Int(st.st_size)
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        base = UnsafeRawPointer(mapped)
        self.size = size
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }

    /// Tells the kernel the mapping is read front to back (`madvise(MADV_SEQUENTIAL)`).
    func adviseSequential() { _ = madvise(UnsafeMutableRawPointer(mutating: base), size, MADV_SEQUENTIAL) }
}

/// A regular file read at given offsets (`fileno`, `fstat`, `pread`) through a stream that
/// `owner` holds open (libpcap's, for the same file it reads).
final class ReadableFile {
    private let descriptor: Int32
    private let owner: AnyObject
    /// The size when opened: what is read, however the file grows.
    let size: Int

    /// Nil unless `stream` is a regular file of at least `minimumSize` bytes.
    init?(stream: UnsafeMutablePointer<FILE>?, owner: AnyObject, minimumSize: Int) {
        guard let stream else { return nil }
        let descriptor = fileno(stream)
        var st = stat()
        guard descriptor >= 0, fstat(descriptor, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) >= minimumSize else {
            return nil
        }
        self.descriptor = descriptor
        self.owner = owner
        size = Int(st.st_size)
    }

    /// Reads up to `count` bytes at `offset` into `buffer` (`pread`, again after a signal):
    /// the number read, 0 at the end, or -1.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) -> Int {
        while true {
            let n = pread(descriptor, buffer, count, off_t(offset))
            if n >= 0 || errno != EINTR { return n }
        }
    }
}

/// Lets another thread run on this CPU if one is waiting (`sched_yield`).
func yieldProcessor() { _ = sched_yield() }

/// Fresh zero-filled memory (`mmap(MAP_PRIVATE | MAP_ANONYMOUS)`), unmapped (`munmap`) when
/// it goes away. The kernel maps a page at its first touch, so untouched pages cost nothing.
public final class ZeroPages {
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int

    /// At least `byteCount` bytes (one page at least).
    public init(byteCount: Int) {
        let size = max(byteCount, 1)
        guard let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), mapped != MAP_FAILED
        else { fatalError("cannot map \(size) bytes: \(POSIX.lastErrorText)") }
        base = mapped
        self.byteCount = size
    }

    deinit { munmap(base, byteCount) }

    /// The bytes of its pages in memory (`mincore`): the pages touched so far.
    public var residentBytes: Int {
        let page = POSIX.pageSize
        let pages = (byteCount + page - 1) / page
        var resident = [UInt8](repeating: 0, count: pages)
        guard mincore(base, byteCount, &resident) == 0 else { return -1 }
        return resident.reduce(0) { $0 + Int($1 & 1) } * page
    }
}
