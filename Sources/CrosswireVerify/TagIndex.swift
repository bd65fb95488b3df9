// An index for a table whose entries sit in a ring of its own (NAT's
// InsertionRing, delivery's pending packets): 8-byte slots of a key's high
// 32 bits (its tag) and the entry's position, so the index of a 2^17-entry
// ring is 1 MB, where a FixedHashTable slot with key, stamp and value took 24
// bytes. A tag match is confirmed by the owner, which knows what its position
// holds. The slot's home comes from the tag alone, so a removal reorders the
// run without asking the owner. At most half the slots are full (two per
// position), so a run always ends.
//
// slot: | tag (32 bits) | position + 1 (32 bits; 0: empty) |

/// Positions of a ring's entries by key.
struct TagIndex {
    private struct Slot: BitwiseCopyable {
        var tag: UInt32
        /// The entry's position + 1; 0: empty.
        var stored: UInt32
    }
    private var slots = ZeroedSlots<Slot>()
    /// A bit per 4 KB of `slots`: set once anything was written there (FixedHashTable.swift:
    /// a page read before its first write costs a second fault).
    private var writtenPages: [UInt64] = []
    private let mask: Int

    /// For a ring of `positions` entries (a power of two, at most 2^30): twice as many slots,
    /// made at the first insertion.
    init(positions: Int) {
        precondition(positions > 0 && positions & (positions - 1) == 0 && positions <= 1 << 30)
        mask = 2 * positions - 1
    }

    /// The bytes of its pages in memory.
    var residentBytes: Int { slots.residentBytes }

    @inline(__always) static func tag(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 32) }
    @inline(__always) private func home(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(tag) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask }
    @inline(__always) private static func page(of slot: Int) -> Int { (slot &* MemoryLayout<Slot>.stride) >> 12 }

    @inline(__always) private func pageWritten(_ slot: Int) -> Bool {
        let page = Self.page(of: slot)
        return writtenPages[page >> 6] & (1 << (page & 63)) != 0
    }

    /// Writes slot `i` (8 bytes, 8-aligned: never split across pages).
    @inline(__always) private mutating func set(_ i: Int, _ slot: Slot) {
        if slots.isEmpty {
            slots = ZeroedSlots(count: mask + 1)
            writtenPages = Array(repeating: 0, count: Self.page(of: mask) / 64 + 1)
        }
        let page = Self.page(of: i)
        writtenPages[page >> 6] |= 1 << (page & 63)
        slots[i] = slot
    }

    /// The slot of the entry with `key`'s tag that `isEntry` confirms (given its position), or
    /// the empty slot where `key` would go.
    @inline(__always)
    func find(_ key: UInt64, _ isEntry: (Int) -> Bool) -> (slot: Int, position: Int?) {
        let tag = Self.tag(key)
        var i = home(tag)
        if slots.isEmpty { return (i, nil) }
        for _ in 0...mask {
            if !pageWritten(i) { return (i, nil) }
            let s = slots[i]
            if s.stored == 0 { return (i, nil) }
            if s.tag == tag, isEntry(Int(s.stored) &- 1) { return (i, Int(s.stored) &- 1) }
            i = (i &+ 1) & mask
        }
        preconditionFailure("a full index")
    }

    /// Records `position` for `key`, which has no entry, in the first empty slot of its run
    /// (the line `find` just read).
    @inline(__always)
    mutating func insert(_ key: UInt64, position: Int) {
        set(find(key) { _ in false }.slot, Slot(tag: Self.tag(key), stored: UInt32(position &+ 1)))
    }

    /// Moves the entries at positions `from(i)` to `i`, for `i` in `0..<count` (`key(i)`: the
    /// entry's key). Mid-way a new position may equal an old one of a key with the same tag;
    /// which of the two slots then moves does not matter: the index holds (tag, position)
    /// pairs, and the same pairs result.
    mutating func renumber(count: Int, key: (Int) -> UInt64, from: (Int) -> Int) {
        for i in 0..<count {
            let f = from(i)
            let e = find(key(i)) { $0 == f }
            if e.position != nil { move(slot: e.slot, to: i) }
        }
    }

    @inline(__always)
    private mutating func move(slot: Int, to position: Int) {
        set(slot, Slot(tag: slots[slot].tag, stored: UInt32(position &+ 1)))
    }

    /// Removes the entry in `slot`, moving later slots of its run back so lookups still find them.
    mutating func remove(slot: Int) {
        var hole = slot
        var i = (slot &+ 1) & mask
        while pageWritten(i), slots[i].stored != 0 {
            let h = home(slots[i].tag)
            // Into the hole when its home is not between the hole and it.
            if (hole &- h) & mask <= (i &- h) & mask {
                set(hole, slots[i])
                hole = i
            }
            i = (i &+ 1) & mask
        }
        set(hole, Slot(tag: 0, stored: 0))
    }
}
