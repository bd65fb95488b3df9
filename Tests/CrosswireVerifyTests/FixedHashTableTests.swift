// The analysers' fixed-capacity table: found after insertion, gone after
// removal (with the entries behind it still found), the oldest of a full probe
// run evicted and counted, no slot made before the first insertion, no page
// read before it is written, and a rewrite that leaves an entry's age.

@testable import CrosswireVerify
import Testing

@Suite struct FixedHashTableTests {
    @Test func storesFindsAndRemoves() {
        var t = FixedHashTable<Int>(capacity: 64)
        #expect(t.value(for: 7) == nil, "an empty table answers lookups")
        #expect(t.slotsMade == 0, "no slot is made before the first insertion")
        for k in 1...40 as ClosedRange<UInt64> { t.update(k) { $0 = Int(k) * 10 } }
        #expect(t.slotsMade == 64)
        #expect(t.count == 40)
        #expect((1...40 as ClosedRange<UInt64>).allSatisfy { t.value(for: $0) == Int($0) * 10 })
        // Remove every other key: the rest must still be found (runs are repaired).
        for k in stride(from: 1, through: 40, by: 2) { t.update(UInt64(k)) { $0 = nil } }
        #expect(t.count == 20)
        #expect((1...40 as ClosedRange<UInt64>).allSatisfy { t.value(for: $0) == ($0 % 2 == 0 ? Int($0) * 10 : nil) })
        var seen = 0
        t.forEach { key, value in
            #expect(value == Int(key) * 10)
            seen += 1
        }
        #expect(seen == 20)
        #expect(t.evictions == 0)
    }

    @Test func fullTableEvictsTheOldestAndCountsIt() {
        var t = FixedHashTable<Int>(capacity: 16)
        for k in 1...200 as ClosedRange<UInt64> { t.update(k) { $0 = Int(k) } }
        #expect(t.count <= 16)
        #expect(t.count + t.evictions == 200, "every insertion is either stored or an eviction is counted")
        // The most recent key always survives: it evicted an older one.
        #expect(t.value(for: 200) == 200)
    }

    /// A value whose slot (56 bytes) does not divide a page: some slots straddle two.
    struct Wide: Equatable, BitwiseCopyable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64, e: UInt32
    }

    /// Dense (every page written) and sparse (most slots alone on their pages).
    @Test(arguments: [1 << 12, 1 << 17])
    func agreesWithADictionaryAcrossPageBoundaries(capacity: Int) {
        var t = FixedHashTable<Wide>(capacity: capacity)
        var model: [UInt64: Wide] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<20_000 {
            // Keys from a small range, so that they come back; a quarter of the capacity at most.
            let key = UInt64.random(in: 1...1_000, using: &rng) &* 0x9E37_79B9_7F4A_7C15
            if Int.random(in: 0..<3, using: &rng) == 0 {
                t.update(key) { $0 = nil }
                model[key] = nil
            } else {
                let v = Wide(a: key, b: UInt64(step), c: 3, d: 4, e: 5)
                t.update(key) { $0 = v }
                model[key] = v
            }
        }
        #expect(t.evictions == 0)
        #expect(t.count == model.count)
        for k in 1...1_000 as ClosedRange<UInt64> {
            let key = k &* 0x9E37_79B9_7F4A_7C15
            #expect(t.value(for: key) == model[key])
        }
        var seen = 0
        t.forEach { key, value in
            #expect(model[key] == value)
            seen += 1
        }
        #expect(seen == model.count)
    }

    @Test func absentKeysLeaveFreshPagesUntouched() {
        // 2^20 slots of 24 bytes: 24 MiB. Misses must not read the pages they hash to: a read
        // maps the zero page, and the first write after it faults again and flushes the TLB.
        var t = FixedHashTable<Int64>(capacity: 1 << 20)
        t.update(1) { $0 = 1 }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let key = UInt64.random(in: 2...UInt64.max, using: &rng)
            #expect(t.value(for: key) == nil)
            t.update(key) { _ in }
        }
        #expect(t.value(for: 1) == 1)
        #expect(t.residentBytes <= 64 << 10, "the pages of the one entry, not of 10,000 misses")
    }

    /// `rewrite` changes a present entry's value and leaves its age: in a full table the entry
    /// rewritten last is still the oldest, the one a new key evicts (with `update` it is not).
    @Test func aRewriteLeavesAnEntryAsOldAsItWas() {
        var t = FixedHashTable<Int>(capacity: 16)
        for k in 1...16 as ClosedRange<UInt64> { t.update(k) { $0 = Int(k) } }
        t.rewrite(1) { $0 = 100 }
        t.rewrite(99) { $0 = 5 }
        #expect(t.value(for: 1) == 100)
        #expect(t.value(for: 99) == nil, "an absent key stays absent")
        #expect(t.count == 16)
        t.update(17) { $0 = 17 }
        #expect(t.value(for: 1) == nil, "the oldest entry, rewritten, is evicted")
        #expect(t.value(for: 2) == 2)
    }
}
