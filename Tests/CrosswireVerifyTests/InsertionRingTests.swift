// NAT's sightings table: a ring in the order entries are made, found through a
// compact index. Checked against a plain ring searched from end to end, with
// keys that share their index home and their 32-bit tag.

@testable import CrosswireVerify
import Testing

@Suite struct InsertionRingTests {
    /// The ring without an index: the same positions, found by looking at each.
    struct Model {
        var slots: [(key: UInt64, value: Int)?]
        var next = 0
        var evictions = 0
        init(capacity: Int) { slots = Array(repeating: nil, count: capacity) }

        func position(_ key: UInt64) -> Int? { slots.firstIndex { $0?.key == key } }
        func value(for key: UInt64) -> Int? { position(key).map { slots[$0]!.value } }

        mutating func update(_ key: UInt64, _ new: Int?) {
            if let at = position(key) {
                slots[at] = new.map { (key, $0) }
                return
            }
            guard let new else { return }
            if slots[next] != nil { evictions += 1 }
            slots[next] = (key, new)
            next = (next + 1) % slots.count
        }

        /// From the oldest position on.
        var ordered: [(UInt64, Int)] { (0..<slots.count).compactMap { slots[(next + $0) % slots.count] }.map { ($0.key, $0.value) } }
    }

    @Test func itHoldsWhatAPlainRingHolds() {
        var r = SplitMix64(seed: 34)
        for capacity in [16, 32, 64] {
            var ring = InsertionRing<Int>(capacity: capacity)
            var model = Model(capacity: capacity)
            // Few distinct high halves and low halves: tags and homes collide, keys do not.
            let keys = (0..<UInt64(3 * capacity)).map { k in (k % 5) << 32 | (k / 5) &* 0x9E37_79B9 }
            for step in 0..<4000 {
                let key = keys[Int(r.next() % UInt64(keys.count))]
                let roll = r.next() % 10
                if roll < 2 {
                    #expect(ring.value(for: key) == model.value(for: key), "capacity \(capacity), step \(step): lookup")
                    continue
                }
                let new: Int? = roll == 2 ? nil : Int(r.next() % 1000)
                ring.update(key) { v in v = new }
                model.update(key, new)
                #expect(ring.count == model.ordered.count, "capacity \(capacity), step \(step): count")
            }
            var held: [(UInt64, Int)] = []
            ring.forEach { held.append(($0, $1)) }
            #expect(held.map(\.0) == model.ordered.map(\.0), "capacity \(capacity): entries, oldest first")
            #expect(held.map(\.1) == model.ordered.map(\.1), "capacity \(capacity): values")
            #expect(ring.evictions == model.evictions && ring.evictions > 0)
            for key in keys { #expect(ring.value(for: key) == model.value(for: key), "capacity \(capacity): key \(key)") }
        }
    }

    @Test func anEntryIsChangedWhereItIs() {
        var ring = InsertionRing<Int>(capacity: 16)
        for k in 1...16 as ClosedRange<UInt64> { ring.update(k << 40) { $0 = Int(k) } }
        ring.update(1 << 40) { $0! += 100 }
        ring.update(17 << 40) { $0 = 17 }
        #expect(ring.value(for: 1 << 40) == nil, "changed, not made again: the oldest still goes first")
        #expect(ring.value(for: 2 << 40) == 2 && ring.value(for: 17 << 40) == 17)
        #expect(ring.count == 16 && ring.evictions == 1)
    }

    @Test func aLargeRingCostsTheEntriesItHolds() {
        // 2^20 entries of 24 bytes and an index of 2^21 slots: 40 MiB if made whole.
        var ring = InsertionRing<Int64>(capacity: 1 << 20)
        for k in 1...1000 as ClosedRange<UInt64> { ring.update(k &* 0x9E37_79B9_7F4A_7C15) { $0 = Int64(k) } }
        #expect(ring.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == 7)
        #expect(ring.residentBytes <= (24 << 10) + 1000 * 8 << 10, "the ring's first pages and a page or two of index per entry")
    }
}
