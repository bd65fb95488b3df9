// A bounded map for a table that mostly grows, such as NAT's packet sightings:
// most keys are written once and never asked for again. In a FixedHashTable a
// new key is written at a random place (23 MB for NAT: a cache and TLB miss per
// packet, and every page touched however few entries); here entries go into a
// ring in the order they are made, a sequential write, and a TagIndex finds
// them. When the ring is full the oldest entry gives way.

/// A map from 64-bit keys to values, at most `capacity` of them; the oldest made goes first.
struct InsertionRing<Value: BitwiseCopyable> {
    private struct Entry: BitwiseCopyable {
        var key: UInt64
        var used: Bool
        var value: Value
    }
    private var ring = ZeroedSlots<Entry>()
    private var index: TagIndex
    private let mask: Int
    /// The ring position the next new entry takes.
    private var next = 0
    /// True once the ring went round: `next` may hold an entry.
    private var wrapped = false
    /// Entries currently stored.
    private(set) var count = 0
    /// Entries dropped to make room (the oldest made).
    private(set) var evictions = 0

    /// A ring of `capacity` entries, rounded up to a power of two, made at the first insertion.
    init(capacity: Int) {
        var size = 16
        while size < capacity { size <<= 1 }
        mask = size - 1
        index = TagIndex(positions: size)
    }

    /// The bytes of its ring and index in memory: the pages written so far.
    var residentBytes: Int { ring.residentBytes + index.residentBytes }

    @inline(__always)
    private func find(_ key: UInt64) -> (slot: Int, position: Int?) {
        index.find(key) { ring[$0].key == key }
    }

    /// The value stored for `key`.
    func value(for key: UInt64) -> Value? {
        if ring.isEmpty { return nil }
        return find(key).position.map { ring[$0].value }
    }

    /// Calls `update` with the value stored for `key` (nil when absent) and stores what it
    /// leaves (removing the entry when it leaves nil).
    mutating func update(_ key: UInt64, _ update: (inout Value?) -> Void) {
        if ring.isEmpty { ring = ZeroedSlots(count: mask + 1) }
        let (slot, position) = find(key)
        if let at = position {
            var v: Value? = ring[at].value
            update(&v)
            if let v { ring[at].value = v } else { remove(slot: slot, at: at) }
            return
        }
        var v: Value? = nil
        update(&v)
        guard let new = v else { return }
        let at = next
        if wrapped, ring[at].used {
            // The oldest entry gives way.
            let old = index.find(ring[at].key) { $0 == at }
            assert(old.position == at, "a ring entry missing from the index")
            remove(slot: old.slot, at: at)
            evictions += 1
        }
        ring[at] = Entry(key: key, used: true, value: new)
        index.insert(key, position: at)
        count += 1
        next = (at &+ 1) & mask
        if next == 0 { wrapped = true }
    }

    /// Removes the entry at ring position `at`, whose index slot is `slot`.
    private mutating func remove(slot: Int, at: Int) {
        ring[at].used = false
        count -= 1
        index.remove(slot: slot)
    }

    /// Every stored value, oldest first.
    func forEach(_ body: (UInt64, Value) -> Void) {
        if ring.isEmpty { return }
        let (start, length) = wrapped ? (next, mask + 1) : (0, next)
        for k in 0..<length {
            let e = ring[(start &+ k) & mask]
            if e.used { body(e.key, e.value) }
        }
    }
}
