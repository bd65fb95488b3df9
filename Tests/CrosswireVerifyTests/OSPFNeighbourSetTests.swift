// The neighbours an OSPF router's Hellos list, kept per router and per interface up to a
// bound: the first distinct ones in the order heard, the entry made at the first.

import CrosswireDecoder
@testable import CrosswireVerify
import Testing

@Suite struct OSPFNeighbourSetTests {
    @Test func neighbourSetsKeepTheFirstDistinctNeighboursUpToTheirBound() {
        var r = SplitMix64(seed: 33)
        for trial in 0..<50 {
            var sets: [Int: Set<IPv4Address>] = [:]
            var model: [IPv4Address] = []
            let range = UInt64(8 + trial * 4)
            ControlPlaneFindings.insert(OSPFNeighborIDs(), into: &sets, at: 1)
            #expect(sets[1] == nil, "no neighbour: no entry")
            for _ in 0..<30 {
                var ids = OSPFNeighborIDs()
                for _ in 0..<Int(r.next() % 9) { ids.append(IPv4Address(rawValue: UInt32(r.next() % range))) }
                ControlPlaneFindings.insert(ids, into: &sets, at: 1)
                for k in 0..<ids.count where !model.contains(ids[k]) && model.count < ControlPlaneFindings.maxNeighbours {
                    model.append(ids[k])
                }
            }
            #expect(sets[1] == (model.isEmpty ? nil : Set(model)), "trial \(trial): \(model.count) neighbours")
            #expect(sets.count == (model.isEmpty ? 0 : 1))
        }
    }
}
