// CrosswireReport's POSIX boundary (this module does not depend on
// CrosswireCapture, whose POSIX.swift is the package's): the file calls of an
// atomic report write under Swift names; the C name is in each doc comment.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files by descriptor and path.
enum ReportFileCalls {
    /// This process's id (`getpid`).
    static var processID: Int32 { getpid() }

    /// Creates `path` for writing, failing when it exists (`open(O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)`):
    /// the descriptor, or -1.
    static func createExclusive(_ path: String) -> Int32 { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }

    /// Writes at most `count` bytes (`write`): the number written, or -1.
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.write(descriptor, bytes, count)
        #elseif canImport(Musl)
            Musl.write(descriptor, bytes, count)
        #else
            Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// Flushes the file to disk (`fsync`). False on failure.
    static func sync(_ descriptor: Int32) -> Bool { fsync(descriptor) == 0 }

    /// Closes the descriptor (`close`). False on failure.
    @discardableResult
    static func close(_ descriptor: Int32) -> Bool {
        #if canImport(Glibc)
            Glibc.close(descriptor) == 0
        #elseif canImport(Musl)
            Musl.close(descriptor) == 0
        #else
            Darwin.close(descriptor) == 0
        #endif
    }

    /// Renames `from` over `to` (`rename`). False on failure.
    static func rename(_ from: String, to: String) -> Bool {
        #if canImport(Glibc)
            Glibc.rename(from, to) == 0
        #elseif canImport(Musl)
            Musl.rename(from, to) == 0
        #else
            Darwin.rename(from, to) == 0
        #endif
    }

    /// Removes `path` (`unlink`).
    static func remove(_ path: String) { _ = unlink(path) }

    /// True when the last call of this thread was interrupted by a signal (`errno == EINTR`).
    static var lastErrorWasInterrupt: Bool { errno == EINTR }

    /// The text of the last error of this thread (`strerror(errno)`).
    static var lastErrorText: String { errorText(errno) }

    /// The text of error number `code` (`strerror`).
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}
