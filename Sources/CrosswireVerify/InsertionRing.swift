// A bounded map for a table that mostly grows, such as NAT's packet sightings:
// most keys are written once and never asked for again. In a FixedHashTable a
// new key is written at a random place (23 MB for NAT: a cache and TLB miss per
// packet, and every page touched however few entries); here entries go into a
// ring in the order they are made, a sequential write, and a compact index of
// 8-byte slots finds them. When the ring is full the oldest entry gives way.
//
// index slot: | tag (the key's high 32 bits) | ring position + 1 (0: empty) |
// The slot's home comes from the tag alone, so the index is reordered on a
// removal without reading the ring.

/// A map from 64-bit keys to values, at most `capacity` of them; the oldest made goes first.
struct InsertionRing<Value: BitwiseCopyable> {
    private struct Entry: BitwiseCopyable {
        var key: UInt64
        var used: Bool
        var value: Value
    }
    private struct IndexSlot: BitwiseCopyable {
        var tag: UInt32
        /// The entry's ring position + 1; 0: empty.
        var position: UInt32
    }
    private var ring = ZeroedSlots<Entry>()
    private var index = ZeroedSlots<IndexSlot>()
    /// A bit per 4 KB of `index`: set once anything was written there (FixedHashTable.swift:
    /// a page read before its first write costs a second fault).
    private var writtenPages: [UInt64] = []
    private let ringMask: Int
    private let indexMask: Int
    /// The ring position the next new entry takes.
    private var next = 0
    /// True once the ring went round: `next` may hold an entry.
    private var wrapped = false
    /// Entries currently stored.
    private(set) var count = 0
    /// Entries dropped to make room (the oldest made).
    private(set) var evictions = 0

    /// A ring of `capacity` entries, rounded up to a power of two, and an index of twice as
    /// many slots; both are made at the first insertion.
    init(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        precondition(size <= 1 << 30, "a ring position must fit the index's 32 bits")
        ringMask = size - 1
        indexMask = 2 * size - 1
    }

    var capacity: Int { ringMask + 1 }

    /// The bytes of its ring and index in memory: the pages written so far.
    var residentBytes: Int { ring.residentBytes + index.residentBytes }

    @inline(__always) private static func tag(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 32) }
    @inline(__always) private func home(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(tag) &* 0x9E37_79B9_7F4A_7C15) >> 32) & indexMask }

    @inline(__always) private static func page(of slot: Int) -> Int { (slot &* MemoryLayout<IndexSlot>.stride) >> 12 }

    @inline(__always) private func pageWritten(_ slot: Int) -> Bool {
        let page = Self.page(of: slot)
        return writtenPages[page >> 6] & (1 << (page & 63)) != 0
    }

    /// Writes index slot `i` (a slot is never split across pages: 8 bytes, 8-aligned).
    @inline(__always) private mutating func setIndex(_ i: Int, _ slot: IndexSlot) {
        let page = Self.page(of: i)
        writtenPages[page >> 6] |= 1 << (page & 63)
        index[i] = slot
    }

    /// The index slot holding `key`, or the empty slot where it would go.
    @inline(__always)
    private func find(_ key: UInt64) -> (slot: Int, found: Bool) {
        let tag = Self.tag(key)
        var i = home(tag)
        // Bounded: at most half the slots are full, so an empty one comes first.
        for _ in 0...indexMask {
            if !pageWritten(i) { return (i, false) }
            let s = index[i]
            if s.position == 0 { return (i, false) }
            if s.tag == tag, ring[Int(s.position) &- 1].key == key { return (i, true) }
            i = (i &+ 1) & indexMask
        }
        preconditionFailure("the index has no empty slot")
    }

    /// The value stored for `key`.
    func value(for key: UInt64) -> Value? {
        if ring.isEmpty { return nil }
        let (i, found) = find(key)
        return found ? ring[Int(index[i].position) &- 1].value : nil
    }

    /// Calls `update` with the value stored for `key` (nil when absent) and stores what it
    /// leaves (removing the entry when it leaves nil).
    mutating func update(_ key: UInt64, _ update: (inout Value?) -> Void) {
        if ring.isEmpty {
            ring = ZeroedSlots(count: ringMask + 1)
            index = ZeroedSlots(count: indexMask + 1)
            writtenPages = Array(repeating: 0, count: Self.page(of: indexMask) / 64 + 1)
        }
        let (i, found) = find(key)
        if found {
            let at = Int(index[i].position) &- 1
            var v: Value? = ring[at].value
            update(&v)
            if let v { ring[at].value = v } else { remove(slot: i, at: at) }
            return
        }
        var v: Value? = nil
        update(&v)
        guard let new = v else { return }
        var slot = i
        let at = next
        if wrapped, ring[at].used {
            // The oldest entry gives way; removing it may move the slot the new key was to take.
            let old = find(ring[at].key)
            assert(old.found, "a ring entry missing from the index")
            remove(slot: old.slot, at: at)
            evictions += 1
            slot = find(key).slot
        }
        ring[at] = Entry(key: key, used: true, value: new)
        setIndex(slot, IndexSlot(tag: Self.tag(key), position: UInt32(at &+ 1)))
        count += 1
        next = (at &+ 1) & ringMask
        if next == 0 { wrapped = true }
    }

    /// Removes the entry at ring position `at`, whose index slot is `slot`, moving later
    /// slots of its run back so lookups still find them.
    private mutating func remove(slot: Int, at: Int) {
        ring[at].used = false
        count -= 1
        var hole = slot
        var i = (slot &+ 1) & indexMask
        while pageWritten(i), index[i].position != 0 {
            let h = home(index[i].tag)
            // Move the slot into the hole when its home is not between the hole and it.
            if (hole &- h) & indexMask <= (i &- h) & indexMask {
                setIndex(hole, index[i])
                hole = i
            }
            i = (i &+ 1) & indexMask
        }
        setIndex(hole, IndexSlot(tag: 0, position: 0))
    }

    /// Every stored value, oldest first.
    func forEach(_ body: (UInt64, Value) -> Void) {
        if ring.isEmpty { return }
        let (start, length) = wrapped ? (next, ringMask + 1) : (0, next)
        for k in 0..<length {
            let e = ring[(start &+ k) & ringMask]
            if e.used { body(e.key, e.value) }
        }
    }
}
