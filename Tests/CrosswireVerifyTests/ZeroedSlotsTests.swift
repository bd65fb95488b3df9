// The tables' storage: slots start as zero bytes, cost memory only where
// written, and copies are independent values.

@testable import CrosswireVerify
import Testing

@Suite struct ZeroedSlotsTests {
    @Test func startsZeroAndCopiesAreValues() {
        var a = ZeroedSlots<UInt64>(count: 1000)
        #expect(a.count == 1000)
        #expect((0..<1000).allSatisfy { a[$0] == 0 })
        a[7] = 42
        var b = a
        b[7] = 43
        b[8] = 1
        #expect(a[7] == 42 && a[8] == 0, "writing a copy leaves the original alone")
        #expect(b[7] == 43 && b[8] == 1)
        #expect(ZeroedSlots<UInt64>().isEmpty)
    }

    @Test func onlyWrittenPagesAreInMemory() {
        var slots = ZeroedSlots<UInt64>(count: 1 << 22)  // 32 MiB
        #expect(slots.residentBytes <= 16 << 10, "made, not yet written")
        slots[0] = 1
        slots[1 << 21] = 1
        #expect(slots.residentBytes <= 32 << 10, "two slots written: two pages or so")
        #expect(slots[(1 << 21) + 1] == 0)
    }

    @Test func aLargeTableCostsTheEntriesItHolds() {
        // 2^20 slots of 24 bytes: 24 MiB if made whole.
        var t = FixedHashTable<Int64>(capacity: 1 << 20)
        for k in 1...100 as ClosedRange<UInt64> { t.update(k &* 0x9E37_79B9_7F4A_7C15) { $0 = Int64(k) } }
        #expect(t.count == 100)
        #expect(t.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == 7)
        #expect(t.residentBytes <= 100 * 8 << 10, "a page or two per entry, not the whole table")
        var copy = t
        copy.update(7 &* 0x9E37_79B9_7F4A_7C15) { $0 = nil }
        #expect(t.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == 7, "a copy of a table is a value")
        #expect(copy.value(for: 7 &* 0x9E37_79B9_7F4A_7C15) == nil)
    }
}
