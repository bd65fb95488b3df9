// The compact index of NAT's and delivery's rings: slots of a key's tag (its
// high 32 bits) and a position, confirmed by the owner. Keys here share tags,
// so only the confirmation tells them apart.

@testable import CrosswireVerify
import Testing

@Suite struct TagIndexTests {
    /// Keys with 3 tags, each confirmed by what its position holds.
    @Test func entriesAreFoundMovedAndRemovedAmongKeysSharingATag() {
        var r = SplitMix64(seed: 35)
        let positions = 64
        var index = TagIndex(positions: positions)
        var held: [UInt64?] = Array(repeating: nil, count: positions)  // position → key
        for step in 0..<5000 {
            let key = (r.next() % 3) << 32 | r.next() % 200
            let at = held.firstIndex { $0 == key }
            let found = index.find(key) { held[$0] == key }
            #expect(found.position == at, "step \(step)")
            if let at, r.next() % 2 == 0 {
                index.remove(slot: found.slot)
                held[at] = nil
            } else if at == nil, let free = held.firstIndex(where: { $0 == nil }) {
                index.insert(key, position: free)
                held[free] = key
            }
        }
        // Renumbered to the first positions, in order from a ring head: keys of one tag
        // swap positions that a key of the same tag held before.
        let head = 37
        let order = (0..<positions).compactMap { held[(head + $0) % positions] }
        let from = (0..<positions).filter { held[(head + $0) % positions] != nil }.map { (head + $0) % positions }
        index.renumber(count: order.count, key: { order[$0] }, from: { from[$0] })
        for (i, key) in order.enumerated() {
            #expect(index.find(key) { $0 < order.count && order[$0] == key }.position == i, "renumbered \(key)")
        }
    }
}
