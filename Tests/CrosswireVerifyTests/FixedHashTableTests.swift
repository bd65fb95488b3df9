// The analysers' fixed-capacity table: found after insertion, gone after
// removal (with the entries behind it still found), the oldest of a full probe
// run evicted and counted, and no slot made before the first insertion.

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
}
