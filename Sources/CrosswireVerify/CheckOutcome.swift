// A check's typed conclusion: its id, its status and the facts behind them
// (counts, addresses, prefixes, node indices, frames). Nothing here is worded:
// the wording layer (Wording/, one file per family) turns each outcome into the
// contract's CheckResult, hint included.

import CrosswireVerdict

/// What one check concluded, before any wording.
protocol CheckOutcome {
    var id: CheckID { get }
    var status: CheckStatus { get }
    /// The contract's result in words: summary, expected, observed, evidence details, hint (Wording/).
    func worded(_ words: Sentences) -> CheckResult
}

/// A check's cited frames: an analyser's `EvidenceList` (the first 20 kept, the rest
/// counted), with the notes turned into the check's own.
extension EvidenceList {
    /// An analyser's evidence, its notes turned into this list's.
    mutating func merge<Other>(_ list: EvidenceList<Other>, _ note: (Other) -> Note) {
        for (f, n) in zip(list.frames, list.notes) { add(f, note(n)) }
        omit(list.omitted)
    }

    /// The frames of `other` not cited here yet, their notes turned into this list's
    /// (`other`'s omitted frames are not counted).
    mutating func add<Other>(uncited other: EvidenceList<Other>, _ note: (Other) -> Note) {
        for (f, n) in zip(other.frames, other.notes) where !frames.contains(f) { add(f, note(n)) }
    }
}
