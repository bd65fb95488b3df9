// A reference to one frame of one capture, small enough to keep by the thousand.

/// Capture index (into the run's capture list) and 1-based frame number.
struct FrameRef: Hashable, Sendable, Comparable {
    var capture: Int32
    var frame: Int32
    init(capture: Int, frame: Int) {
        self.capture = Int32(truncatingIfNeeded: capture)
        self.frame = Int32(truncatingIfNeeded: frame)
    }
    static func < (a: Self, b: Self) -> Bool { (a.capture, a.frame) < (b.capture, b.frame) }
}

extension Sequence {
    /// Sorted by the frame `ref` names, frames that name the same frame by `tie`:
    /// one frame can carry several prefixes, LSAs or tunnels, and their order must
    /// not be a dictionary's, which changes from run to run.
    func sorted<T: Comparable>(byFrame ref: (Element) -> FrameRef, then tie: (Element) -> T) -> [Element] {
        sorted { a, b in
            let ra = ref(a), rb = ref(b)
            return ra != rb ? ra < rb : tie(a) < tie(b)
        }
    }
}

/// Up to `limit` frames kept as evidence, plus how many more there were.
struct EvidenceList: Sendable {
    private(set) var frames: [FrameRef] = []
    private(set) var details: [String] = []
    private(set) var omitted = 0
    let limit: Int

    init(limit: Int = 20) { self.limit = limit }

    var isEmpty: Bool { frames.isEmpty && omitted == 0 }
    var total: Int { frames.count + omitted }

    /// Adds a frame with its detail, built only when it will be kept.
    mutating func add(_ ref: FrameRef, _ detail: @autoclosure () -> String) {
        if frames.count < limit {
            frames.append(ref)
            details.append(detail())
        } else {
            omitted += 1
        }
    }

    mutating func merge(_ other: EvidenceList) {
        for (f, d) in zip(other.frames, other.details) { add(f, d) }
        omitted += other.omitted
    }
}
