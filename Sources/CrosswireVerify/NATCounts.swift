// How many address translations a run saw, by direction: the one number of the
// NAT findings that `crosswire watch` exports as a counter (the checks judge the rest).

/// Distinct translations seen, by the side of the packet they changed.
public struct NATCounts: Sendable, Equatable {
    /// Translations that changed the source address or port (SNAT, MASQUERADE).
    public var source = 0
    /// Translations that changed the destination address or port (DNAT, published ports).
    public var destination = 0
    public init(source: Int = 0, destination: Int = 0) { self.source = source; self.destination = destination }
}

extension Findings {
    /// Distinct translations matched between capture points, by direction (one translation can count in both).
    public var natCounts: NATCounts {
        var counts = NATCounts()
        for t in nat.translations.keys {
            if t.first.source != t.second.source || t.first.sourcePort != t.second.sourcePort { counts.source += 1 }
            if t.first.destination != t.second.destination || t.first.destinationPort != t.second.destinationPort { counts.destination += 1 }
        }
        return counts
    }
}
