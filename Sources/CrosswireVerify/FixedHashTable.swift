// A fixed-capacity hash table for per-packet state: the slots are made at the
// first insertion, as zero pages that cost only where they are written
// (ZeroedSlots.swift), so later insertions and lookups never allocate (and a
// table nothing is ever stored in, such as an analyser another thread runs,
// costs nothing). When a probe run is full, the oldest entry of the run is
// evicted and counted.
//
// A key whose home slot lies on a page never written is absent, and is
// inserted there, without a read: reading a fresh page maps the shared zero
// page, and the first write after that takes a second fault and a TLB flush
// that interrupts the other thread. (The bits only spare reads: a page never
// written reads as empty slots anyway.)

/// A map from 64-bit keys to values with a fixed number of slots.
struct FixedHashTable<Value: BitwiseCopyable> {
    /// One slot: key, stamp and value on one cache line or two. `value` is valid while `used`.
    private struct Slot: BitwiseCopyable {
        var key: UInt64
        var stamp: UInt32
        var used: Bool
        var value: Value?
    }
    private var slots = ZeroedSlots<Slot>()
    /// A bit per 4 KB of `slots`: set once anything was written there.
    private var writtenPages: [UInt64] = []
    private let mask: Int
    private var clock: UInt32 = 0
    /// Entries currently stored.
    private(set) var count = 0
    /// Entries dropped to make room.
    private(set) var evictions = 0
    /// How far a key may be from its home slot.
    private static var probeLimit: Int { 16 }

    /// A table of `capacity` slots, rounded up to a power of two; the slots are made at the first insertion.
    init(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        mask = size - 1
    }

    /// The number of slots.
    var capacity: Int { mask + 1 }

    /// The slots made so far: 0 until the first insertion, then `capacity`.
    var slotsMade: Int { slots.count }

    /// The bytes of its slots in memory: the pages entries were written to.
    var residentBytes: Int { slots.residentBytes }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15 >> 3) & mask }

    /// The 4 KB pages slot `i` starts and ends on.
    @inline(__always) private static func pages(of slot: Int) -> (first: Int, last: Int) {
        let first = slot &* MemoryLayout<Slot>.stride
        return (first >> 12, (first &+ MemoryLayout<Slot>.stride &- 1) >> 12)
    }

    /// False when slot `i` starts on a page never written: it is empty.
    @inline(__always) private func pageWritten(_ i: Int) -> Bool {
        let page = Self.pages(of: i).first
        return writtenPages[page >> 6] & (1 << (page & 63)) != 0
    }

    private mutating func noteWritten(_ i: Int) {
        let (a, b) = Self.pages(of: i)
        writtenPages[a >> 6] |= 1 << (a & 63)
        writtenPages[b >> 6] |= 1 << (b & 63)
    }

    /// The value stored for `key`.
    func value(for key: UInt64) -> Value? {
        if slots.isEmpty { return nil }
        var i = home(key)
        if !pageWritten(i) { return nil }
        for _ in 0..<Self.probeLimit {
            let s = slots[i]
            if !s.used { return nil }
            if s.key == key { return s.value }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Calls `update` with the value stored for `key` (nil when absent) and
    /// stores what it leaves (removing the entry when it leaves nil).
    mutating func update(_ key: UInt64, _ update: (inout Value?) -> Void) {
        if slots.isEmpty {
            slots = ZeroedSlots(count: mask + 1)
            writtenPages = Array(repeating: 0, count: (Self.pages(of: mask).last >> 6) + 1)
        }
        clock &+= 1
        var i = home(key)
        var free = -1
        var oldest = i
        // A home on a page never written: absent, and its place is free.
        if !pageWritten(i) { free = i }
        for _ in 0..<Self.probeLimit where free < 0 {
            if !slots[i].used {
                free = i
                break
            }
            if slots[i].key == key {
                // In place: a copy out and back cost two copies of the value per update.
                update(&slots[i].value)
                if slots[i].value == nil { remove(at: i) } else { slots[i].stamp = clock }
                return
            }
            if clock &- slots[i].stamp > clock &- slots[oldest].stamp { oldest = i }
            i = (i + 1) & mask
        }
        var v: Value? = nil
        update(&v)
        guard let new = v else { return }
        let slot: Int
        if free >= 0 {
            slot = free
            count += 1
        } else {
            slot = oldest
            evictions += 1
        }
        noteWritten(slot)
        slots[slot] = Slot(key: key, stamp: clock, used: true, value: new)
    }

    /// Calls `body` with the value stored for `key`, when there is one, and keeps what it
    /// leaves there, without making the entry newer (`update` does).
    mutating func rewrite(_ key: UInt64, _ body: (inout Value) -> Void) {
        if slots.isEmpty { return }
        var i = home(key)
        if !pageWritten(i) { return }
        for _ in 0..<Self.probeLimit {
            if !slots[i].used { return }
            if slots[i].key == key {
                body(&slots[i].value!)
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Removes the entry in slot `i`, moving later entries of its run back so lookups still find them.
    private mutating func remove(at slot: Int) {
        slots[slot].used = false
        count -= 1
        var hole = slot
        var i = (slot + 1) & mask
        while slots[i].used {
            let h = home(slots[i].key)
            // Move the entry into the hole when its home is not between the hole and its slot.
            let distanceToHole = (hole - h) & mask
            let distanceToSlot = (i - h) & mask
            if distanceToHole <= distanceToSlot {
                slots[hole] = slots[i]
                slots[i].used = false
                hole = i
            }
            i = (i + 1) & mask
        }
    }

    /// Every stored value.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for i in 0..<slots.count where pageWritten(i) {
            let s = slots[i]
            if s.used, let v = s.value { body(s.key, v) }
        }
    }
}

/// A 64-bit FNV-1a style hasher for building keys without allocating.
struct KeyHasher {
    private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    @inline(__always) mutating func add(_ v: UInt64) {
        value = (value ^ v) &* 0x0000_0100_0000_01B3
        value ^= value >> 32
    }

    @inline(__always) mutating func add(_ a: IPAddressKey) {
        add(a.high); add(a.low)
    }

    /// Mixes in up to `limit` bytes of `span` from `offset`, 8 at a time.
    mutating func add(_ span: borrowing RawSpan, from offset: Int, count: Int) {
        let end = min(span.byteCount, offset + count)
        var i = max(0, offset)
        while i + 8 <= end {
            // In bounds: i + 8 ≤ end ≤ byteCount.
            add(span.unsafeLoadUnaligned(fromUncheckedByteOffset: i, as: UInt64.self))
            i += 8
        }
        var tail: UInt64 = 0
        while i < end {
            // In bounds: i < end ≤ byteCount.
            tail = tail << 8 | UInt64(span.unsafeLoad(fromUncheckedByteOffset: i, as: UInt8.self))
            i += 1
        }
        add(tail)
    }
}

import CrosswireDecoder

/// An address as two integers for hashing.
struct IPAddressKey {
    var high: UInt64
    var low: UInt64
    init(_ a: IPAddress) {
        switch a {
        case .v4(let v): high = 0x4; low = UInt64(v.rawValue)
        case .v6(let v): high = v.high; low = v.low
        }
    }
}
