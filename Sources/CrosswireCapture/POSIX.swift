// The POSIX boundary, as PcapHandle.swift is libpcap's: file status, terminals
// and memory mappings under Swift names; the C name is in each doc comment.

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

    /// Hands bytes `range` back to the kernel (`madvise(MADV_DONTNEED)`); `range` is page-aligned.
    func release(_ range: Range<Int>) {
        _ = madvise(UnsafeMutableRawPointer(mutating: base) + range.lowerBound, range.count, MADV_DONTNEED)
    }
}
