// A fixed-capacity hash table for per-packet state: all memory is allocated
// at the first insertion, so later insertions and lookups never allocate (and a
// table nothing is ever stored in, such as an analyser another thread runs,
// costs nothing). When a probe run is full, the oldest entry of the run is
// evicted and counted.

/// A map from 64-bit keys to values with a fixed number of slots.
struct FixedHashTable<Value> {
    private var keys: [UInt64]
    private var values: [Value?]
    private var stamps: [UInt32]
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
        keys = []
        values = []
        stamps = []
        mask = size - 1
    }

    /// Makes the slots (once).
    private mutating func allocate() {
        keys = [UInt64](repeating: 0, count: mask + 1)
        values = [Value?](repeating: nil, count: mask + 1)
        stamps = [UInt32](repeating: 0, count: mask + 1)
    }

    /// The number of slots.
    var capacity: Int { mask + 1 }

    /// The slots made so far: 0 until the first insertion, then `capacity`.
    var slotsMade: Int { values.count }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key ^ (key >> 29)) &* 0x9E37_79B9_7F4A_7C15 >> 3) & mask }

    /// The value stored for `key`.
    func value(for key: UInt64) -> Value? {
        if values.isEmpty { return nil }
        var i = home(key)
        for _ in 0..<Self.probeLimit {
            if values[i] == nil { return nil }
            if keys[i] == key { return values[i] }
            i = (i + 1) & mask
        }
        return nil
    }

    /// Calls `update` with the value stored for `key` (nil when absent) and
    /// stores what it leaves (removing the entry when it leaves nil).
    mutating func update(_ key: UInt64, _ update: (inout Value?) -> Void) {
        if values.isEmpty { allocate() }
        clock &+= 1
        var i = home(key)
        var free = -1
        var oldest = i
        for _ in 0..<Self.probeLimit {
            if values[i] == nil {
                if free < 0 { free = i }
                break
            }
            if keys[i] == key {
                // In place: a copy out and back cost two copies of the value per update.
                update(&values[i])
                if values[i] == nil { remove(at: i) } else { stamps[i] = clock }
                return
            }
            if clock &- stamps[i] > clock &- stamps[oldest] { oldest = i }
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
        keys[slot] = key
        values[slot] = new
        stamps[slot] = clock
    }

    /// Removes the entry in slot `i`, moving later entries of its run back so lookups still find them.
    private mutating func remove(at slot: Int) {
        values[slot] = nil
        count -= 1
        var hole = slot
        var i = (slot + 1) & mask
        while values[i] != nil {
            let h = home(keys[i])
            // Move the entry into the hole when its home is not between the hole and its slot.
            let distanceToHole = (hole - h) & mask
            let distanceToSlot = (i - h) & mask
            if distanceToHole <= distanceToSlot {
                keys[hole] = keys[i]; values[hole] = values[i]; stamps[hole] = stamps[i]
                values[i] = nil
                hole = i
            }
            i = (i + 1) & mask
        }
    }

    /// Every stored value.
    func forEach(_ body: (UInt64, Value) -> Void) {
        for i in values.indices { if let v = values[i] { body(keys[i], v) } }
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
