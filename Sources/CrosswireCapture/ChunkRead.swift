// One read of a capture file into its window, posted ahead of need by the reading thread
// so that another thread can do it while it has a moment: the kernel's copy out of the
// page cache was a fifth of the reading thread, which sets a two-thread run's pace, and
// the analysers' thread had room (docs/PERFORMANCE.md).
//
// Whichever thread takes a posted read first does it: the holder's thread, or the reading
// thread when it needs the bytes before the holder got to them. So the reading thread never
// waits for a read nobody started.

import Dispatch
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

/// A thread that does reads a window posts ahead (`CaptureFileReader.readsAhead`).
public protocol ChunkReadTaker: AnyObject {
    /// Takes `read` to do on its thread when it has a moment (`ChunkRead.perform`); false
    /// when it has no room for it now (the reading thread then does it when it needs it).
    func readAhead(_ read: ChunkRead) -> Bool
}

/// Reads posted by one thread for one other thread to take, in order: a ring of 64.
public final class ChunkReadQueue: @unchecked Sendable {
    private static let capacity = 64
    private let slots: UnsafeMutablePointer<Unmanaged<ChunkRead>?>
    private let postedCount = Atomic<Int>(0)
    private let takenCount = Atomic<Int>(0)
    /// Each used by one thread only: the posting thread's and the taking thread's count.
    @exclusivity(unchecked) private var posted = 0
    @exclusivity(unchecked) private var taken = 0

    public init() {
        slots = .allocate(capacity: Self.capacity)
        slots.initialize(repeating: nil, count: Self.capacity)
    }

    deinit {
        for i in taken..<posted { slots[i % Self.capacity]?.release() }
        slots.deallocate()
    }

    /// Queues `read` (posting thread); false when the ring is full.
    public func post(_ read: ChunkRead) -> Bool {
        guard posted - takenCount.load(ordering: .acquiring) < Self.capacity else { return false }
        slots[posted % Self.capacity] = Unmanaged.passRetained(read)
        posted += 1
        postedCount.store(posted, ordering: .releasing)
        return true
    }

    /// True when a read is queued and not yet taken (taking thread).
    public var hasRead: Bool { taken < postedCount.load(ordering: .acquiring) }

    /// The oldest read not yet taken, or nil (taking thread).
    public func take() -> ChunkRead? {
        guard hasRead else { return nil }
        let read = slots[taken % Self.capacity].take()!.takeRetainedValue()
        taken += 1
        takenCount.store(taken, ordering: .releasing)
        return read
    }
}

/// A thread of its own for a reading thread's reads ahead, for a command that has no other
/// thread to do them (`decode`): the second core does the kernel's copy. `stop()` ends it.
public final class ReadAheadThread: ChunkReadTaker, @unchecked Sendable {
    private let queue = ChunkReadQueue()
    /// A signal per read posted, and one to stop.
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    public init() {
        DispatchQueue.global(qos: .userInitiated).async { [self] in run() }
    }

    public func readAhead(_ read: ChunkRead) -> Bool {
        guard queue.post(read) else { return false }
        wake.signal()
        return true
    }

    /// Ends the thread; reads it did not take stay with their window, which takes them back.
    public func stop() {
        stopping.store(true, ordering: .releasing)
        wake.signal()
        stopped.wait()
    }

    private func run() {
        while true {
            wake.wait()
            if let read = queue.take() {
                read.perform()
            } else if stopping.load(ordering: .acquiring) {
                break
            }
        }
        stopped.signal()
    }
}
