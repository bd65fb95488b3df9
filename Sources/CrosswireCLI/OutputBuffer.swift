// A reusable byte buffer flushed to a file descriptor: per-packet output
// appends to it without allocating once it has grown to its working size.

import CrosswireCapture

/// Buffered output to a file descriptor (standard output by default).
struct OutputBuffer: ~Copyable {
    var bytes: [UInt8]
    let descriptor: Int32
    let limit: Int

    init(descriptor: Int32 = 1, capacity: Int = 1 << 16) {
        bytes = []
        bytes.reserveCapacity(capacity + 4096)
        self.descriptor = descriptor
        limit = capacity
    }

    /// Flushes when the buffer holds more than its working size.
    mutating func flushIfFull() {
        if bytes.count >= limit { flush() }
    }

    /// Writes everything buffered.
    mutating func flush() {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = POSIX.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 {
                    if n < 0 && POSIX.lastErrorWasInterrupt { continue }
                    break  // a closed pipe: drop the rest, as tcpdump does
                }
                offset += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }

    deinit {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = POSIX.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { break }
                offset += n
            }
        }
    }
}
