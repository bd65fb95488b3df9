// The engine's identities, typed from the reader to the evidence pcap: which
// capture, which frame, when (integer nanoseconds).

import CrosswireCapture

/// A capture of the run: its position in the run's capture list.
public struct CaptureID: Hashable, Sendable, Comparable, CustomStringConvertible, BitwiseCopyable {
    /// 0-based position in the order the captures were added.
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(truncatingIfNeeded: index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
    /// 1-based, as the evidence texts name a capture.
    public var description: String { "\(index + 1)" }
}

/// Where in a capture a frame was seen: the whole capture, or one interface of
/// a capture that holds several (`tcpdump -i any`, `mergecap`, `dumpcap -i a -i b`).
public enum CaptureInterface: Hashable, Sendable {
    case whole
    /// A pcapng interface id, or the interface index of an SLL2 record.
    case index(UInt32)
    /// SLL (v1) records name no interface, only whether the host sent the packet or received it.
    case sent, received

    /// What follows `file@` in the point's name.
    var suffix: String {
        switch self {
        case .whole: ""
        case .index(let i): "\(i)"
        case .sent: "out"
        case .received: "in"
        }
    }
}

/// A capture point: one capture, or one interface of it. Numbered in the order first seen.
public struct CapturePointID: Hashable, Sendable, Comparable, BitwiseCopyable {
    public let index: Int32
    /// A frame whose point was not recorded (a control-plane event's frame).
    public static let unknown = CapturePointID(index: -1)
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

/// The capture points of a run, made as frames show them.
struct CapturePoints: Sendable {
    private(set) var points: [(capture: CaptureID, interface: CaptureInterface)] = []
    /// The point of the previous frame: most frames are at the same point as the one before.
    private var last = (capture: CaptureID(-1), interface: CaptureInterface.whole, id: CapturePointID.unknown)
    /// Beyond this many interfaces a capture's further frames count as one point (a bound for hostile files).
    static let limit = 4096

    @inline(__always)
    mutating func id(capture: CaptureID, interface: CaptureInterface) -> CapturePointID {
        if last.capture == capture, last.interface == interface { return last.id }
        return find(capture: capture, interface: interface)
    }

    @inline(never)
    private mutating func find(capture: CaptureID, interface: CaptureInterface) -> CapturePointID {
        let found = points.firstIndex { $0.capture == capture && $0.interface == interface }
            ?? (points.count < Self.limit ? nil : points.firstIndex { $0.capture == capture })
        let index: Int
        if let found {
            index = found
        } else {
            points.append((capture, interface))
            index = points.count - 1
        }
        last = (capture, interface, CapturePointID(index: Int32(index)))
        return last.id
    }
}

/// One frame of one capture, small enough to keep by the thousand.
public struct FrameRef: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var capture: CaptureID
    /// 1-based frame number, as Wireshark numbers it.
    public var frame: Int32
    /// The capture point it was seen at (one frame has one point, so it takes no part in equality).
    public var point: CapturePointID
    public init(capture: CaptureID, frame: Int, point: CapturePointID = .unknown) {
        self.capture = capture
        self.frame = Int32(truncatingIfNeeded: frame)
        self.point = point
    }
    public static func == (a: Self, b: Self) -> Bool { a.capture == b.capture && a.frame == b.frame }
    public func hash(into h: inout Hasher) { h.combine(capture); h.combine(frame) }
    public static func < (a: Self, b: Self) -> Bool { (a.capture, a.frame) < (b.capture, b.frame) }
}

/// A capture timestamp in integer nanoseconds since the epoch.
public struct Timestamp: Hashable, Sendable, Comparable, BitwiseCopyable {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public init(_ info: FrameInfo) { nanoseconds = info.seconds &* 1_000_000_000 &+ Int64(info.nanoseconds) }
    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Seconds as a floating-point number, only for the verdict's JSON; computed as
    /// `FrameInfo.time` is (whole seconds plus the fraction), so both print alike.
    public var seconds: Double {
        let (s, ns) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return ns >= 0 ? Double(s) + Double(ns) / 1e9 : Double(s - 1) + Double(ns + 1_000_000_000) / 1e9
    }
}

/// What an analyser learns about a frame besides its decoded packet.
public struct FrameContext: Sendable {
    public var ref: FrameRef
    public var time: Timestamp
    /// Where the frame is in its flow (FlowTable.swift).
    public var flow = FlowSighting.none
    /// Whether the capturing host received or sent the frame, where a pcapng file records it.
    public var direction = PacketDirection.unknown
    public var capture: CaptureID { ref.capture }
    public var point: CapturePointID { ref.point }
    public init(ref: FrameRef, time: Timestamp) { self.ref = ref; self.time = time }
    init(ref: FrameRef, time: Timestamp, flow: FlowSighting, direction: PacketDirection) {
        (self.ref, self.time, self.flow, self.direction) = (ref, time, flow, direction)
    }
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

/// Up to `limit` frames kept as evidence, each with the analyser's typed note (a plain
/// value: addresses, numbers, kinds; Wording/ writes its sentence), plus how many more there were.
public struct EvidenceList<Note> {
    public private(set) var frames: [FrameRef] = []
    private(set) var notes: [Note] = []
    public private(set) var omitted = 0
    let limit: Int

    public init(limit: Int = 20) { self.limit = limit }

    public var isEmpty: Bool { frames.isEmpty && omitted == 0 }
    public var total: Int { frames.count + omitted }

    /// Adds a frame with its note, built only when it will be kept.
    mutating func add(_ ref: FrameRef, _ note: @autoclosure () -> Note) {
        if frames.count < limit {
            frames.append(ref)
            notes.append(note())
        } else {
            omitted += 1
        }
    }

    /// Counts `n` more frames past the limit (the flow fast path's credit; the list is full).
    mutating func omit(_ n: Int) { omitted += n }

    var isFull: Bool { frames.count >= limit }

    mutating func merge(_ other: EvidenceList) {
        for (f, n) in zip(other.frames, other.notes) { add(f, n) }
        omitted += other.omitted
    }
}

extension EvidenceList: Sendable where Note: Sendable {}
