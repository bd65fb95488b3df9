// One read of a capture file into its window, posted ahead of need by the reading thread
// so that another thread can do it while it has a moment: the kernel's copy out of the
// page cache was a fifth of the reading thread, which sets a two-thread run's pace, and
// the analysers' thread had room (docs/PERFORMANCE.md).
//
// Whichever thread takes a posted read first does it: the holder's thread, or the reading
// thread when it needs the bytes before the holder got to them. So the reading thread never
// waits for a read nobody started.

import Synchronization

/// A read of `count` bytes at `offset` of a file into `destination`, done once, by
/// whichever thread takes it.
public final class ChunkRead: @unchecked Sendable {
    /// idle → posted (reading thread) → taken (whoever does it) → done → idle (reading thread).
    private let state = Atomic<Int>(ChunkRead.idle)
    private static let idle = 0, posted = 1, taken = 2, done = 3
    private let file: ReadableFile
    /// Written by the reading thread while idle; read by whoever takes the read.
    private(set) var destination: Int = 0
    private(set) var count = 0
    private(set) var offset = 0
    private var base: UnsafeMutableRawPointer?
    private var result = 0

    init(_ file: ReadableFile) { self.file = file }

    /// Does the read, unless another thread took it first or nothing is posted (false). For
    /// the holder's thread.
    @discardableResult
    public func perform() -> Bool {
        guard state.compareExchange(expected: Self.posted, desired: Self.taken, ordering: .acquiring).exchanged else { return false }
        result = file.read(into: base.unsafelyUnwrapped + destination, count: count, at: offset)
        state.store(Self.done, ordering: .releasing)
        return true
    }

    // MARK: the reading thread

    /// Posts the read of `count` bytes at `offset` into `base + destination`. Idle before.
    func post(into base: UnsafeMutableRawPointer, at destination: Int, count: Int, offset: Int) {
        (self.base, self.destination, self.count, self.offset) = (base, destination, count, offset)
        state.store(Self.posted, ordering: .releasing)
    }

    /// The read's result (as `ReadableFile.read`'s): done here if nobody took it yet, else
    /// once the thread that took it is done. Idle after.
    func complete() -> Int {
        if state.compareExchange(expected: Self.posted, desired: Self.taken, ordering: .acquiring).exchanged {
            result = file.read(into: base.unsafelyUnwrapped + destination, count: count, at: offset)
        } else {
            awaitDone()
        }
        state.store(Self.idle, ordering: .relaxed)
        return result
    }

    /// Takes the read back undone if nobody took it, else waits until it is done: after
    /// this no thread writes to its destination. Idle after.
    func withdraw() {
        if !state.compareExchange(expected: Self.posted, desired: Self.idle, ordering: .acquiring).exchanged {
            awaitDone()
            state.store(Self.idle, ordering: .relaxed)
        }
    }

    /// Waits for the thread that took the read: one `pread` of a chunk at most, so the
    /// wait is short; yields rather than spins, as the other thread may share this core.
    private func awaitDone() {
        while state.load(ordering: .acquiring) == Self.taken { yieldProcessor() }
    }
}
