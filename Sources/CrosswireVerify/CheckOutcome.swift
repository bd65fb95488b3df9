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

/// Up to `limit` cited frames, each with its typed note (worded by the outcome's
/// `detail`), plus how many more there were (the same keeping rule as `EvidenceList`).
struct Cited<Note> {
    private(set) var frames: [FrameRef] = []
    private(set) var notes: [Note] = []
    private(set) var omitted = 0
    let limit = 20

    var isEmpty: Bool { frames.isEmpty && omitted == 0 }
    var total: Int { frames.count + omitted }

    mutating func add(_ ref: FrameRef, _ note: Note) {
        if frames.count < limit {
            frames.append(ref)
            notes.append(note)
        } else {
            omitted += 1
        }
    }

    /// An analyser's evidence, its notes as this list's.
    mutating func merge(_ list: EvidenceList<Note>) { merge(list) { $0 } }

    /// An analyser's evidence, its notes turned into this list's.
    mutating func merge<Other>(_ list: EvidenceList<Other>, _ note: (Other) -> Note) {
        for (f, n) in zip(list.frames, list.notes) { add(f, note(n)) }
        omitted += list.omitted
    }

    /// The frames of `other` not cited here yet, their notes turned into this list's
    /// (`other`'s omitted frames are not counted).
    mutating func add<Other>(uncited other: Cited<Other>, _ note: (Other) -> Note) {
        for (f, n) in zip(other.frames, other.notes) where !frames.contains(f) { add(f, note(n)) }
    }

    mutating func merge(_ other: Cited<Note>) {
        for (f, n) in zip(other.frames, other.notes) { add(f, n) }
        omitted += other.omitted
    }
}

extension Cited {
    /// An analyser's evidence as it stands.
    init(_ list: EvidenceList<Note>) { merge(list) }
}
