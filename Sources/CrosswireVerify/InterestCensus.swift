// Which analysers the frames of a run are new to: why the flow fast path hands
// a frame on, or does not. Off unless asked for (`CROSSWIRE_CENSUS=1 crosswire
// verify …`); it asks every analyser, where the fast path stops at the first
// whose credits add up, so it costs a second round of questions a frame.

import CrosswireDecoder

/// Frames in a flow, and per analyser how many were new to it and to it alone.
public struct InterestCensus: Sendable {
    public private(set) var frames = 0
    public private(set) var newToNone = 0
    public private(set) var names: [String] = []
    public private(set) var newTo: [Int] = []
    public private(set) var onlyTo: [Int] = []

    public init() {}

    mutating func count(_ analysers: inout Analysers, packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        var asking = CensusVisitor(naming: names.isEmpty)
        analysers.forEach(&asking, packet: packet, bytes: bytes, frame: frame)
        if names.isEmpty {
            names = asking.names
            newTo = Array(repeating: 0, count: names.count)
            onlyTo = newTo
        }
        frames += 1
        let wanted = asking.wanted
        if wanted == 0 { newToNone += 1 }
        for i in names.indices where wanted & (1 << UInt64(i)) != 0 {
            newTo[i] += 1
            if wanted == 1 << UInt64(i) { onlyTo[i] += 1 }
        }
    }

    /// A table for stderr: one line per analyser.
    public var table: String {
        func share(_ n: Int) -> String {
            let permille = frames == 0 ? 0 : (n * 1000 + frames / 2) / frames
            return "\(permille / 10).\(permille % 10)%"
        }
        func column(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count + 1), withPad: " ", startingAt: 0) }
        var lines = ["frames in a flow: \(frames); new to no analyser: \(newToNone) (\(share(newToNone)))"]
        lines.append(column("analyser", 22) + column("new to it", 18) + "new to it alone")
        for i in names.indices {
            lines.append(column(names[i], 22) + column("\(newTo[i]) (\(share(newTo[i])))", 18) + "\(onlyTo[i])")
        }
        return lines.joined(separator: "\n")
    }
}

/// Asks every analyser whether a frame is new to it, and names them the first time.
struct CensusVisitor: AnalyserVisitor {
    let naming: Bool
    var wanted: UInt64 = 0
    var names: [String] = []
    private var bit: UInt64 = 1

    init(naming: Bool) {
        self.naming = naming
    }

    mutating func visit<A: PacketAnalyser>(_ analyser: inout A, packet: PacketView, bytes: borrowing RawSpan, frame: FrameContext) {
        if analyser.isNew(packet, bytes: bytes, frame: frame, factBit: bit) { wanted |= bit }
        if naming { names.append(String(describing: A.self)) }
        bit &<<= 1
    }
}
