// Output gathered in one block of memory and written to a file descriptor
// about a mebibyte at a time: per-packet output is written in place, without
// allocating.

import CrosswireCapture

/// Buffered output to a file descriptor (standard output by default).
struct OutputBuffer: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    let descriptor: Int32

    init(descriptor: Int32 = 1, capacity: Int = 1 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    /// Room for `n` bytes at the end (flushing first, or growing, when there is not).
    /// Write there, then say where the writing ended with `commit`.
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if count + n > capacity {
            flush()
            if n > capacity {
                base.deallocate()
                capacity = n
                base = .allocate(capacity: n)
            }
        }
        return base + count
    }

    /// Keeps what was written from `reserve`'s pointer up to `end`.
    mutating func commit(_ end: UnsafeMutablePointer<UInt8>) {
        count = end - base
    }

    mutating func append(_ bytes: borrowing [UInt8]) {
        let n = bytes.count
        let p = reserve(n)
        bytes.withUnsafeBufferPointer { if n > 0 { p.update(from: $0.baseAddress!, count: n) } }
        count += n
    }

    /// Writes everything buffered.
    mutating func flush() {
        writeAll()
        count = 0
    }

    private func writeAll() {
        var offset = 0
        while offset < count {
            let n = POSIX.write(descriptor, base + offset, count - offset)
            if n <= 0 {
                if n < 0 && POSIX.lastErrorWasInterrupt { continue }
                break  // a closed pipe: drop the rest, as tcpdump does
            }
            offset += n
        }
    }

    deinit {
        writeAll()
        base.deallocate()
    }
}
