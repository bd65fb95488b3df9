// Formatting shared by the reports: numbers, times, status words and icons,
// status counts and Wireshark display filters for evidence.

import CrosswireVerdict
import Foundation

/// Times as the reports print them; every number goes through `NumberFormat`.
enum Format {
    /// A capture's first and last packet times and the span between them.
    static func timeSpan(_ capture: CaptureSummary) -> String {
        guard let first = capture.firstTime else { return "no packets" }
        let last = capture.lastTime ?? first
        return "\(NumberFormat.timestamp(first)) – \(NumberFormat.timestamp(last)) (\(NumberFormat.duration(last - first)))"
    }

    /// The notes of a capture's row (cut, drops, malformed frames, invalid timestamps), the same
    /// in every format: `problem` marks what went wrong, `escape` makes libpcap's text safe.
    static func captureNotes(
        _ capture: CaptureSummary, clock: ClockOffset? = nil, problem: (String) -> String, escape: (String) -> String
    ) -> [String] {
        var notes: [String] = []
        if let cut = capture.incomplete {
            notes.append("\(problem("incomplete")) at frame \(cut.frame): \(escape(cut.reason))")
        }
        if let drops = capture.drops {
            let dropped = drops.droppedByKernel + drops.droppedByInterface
            notes.append((dropped > 0 ? problem("\(NumberFormat.count(dropped)) dropped") : "no drops")
                + " (kernel \(NumberFormat.count(drops.droppedByKernel)), interface \(NumberFormat.count(drops.droppedByInterface)), "
                + "received \(NumberFormat.count(drops.received)))")
        }
        if capture.malformed > 0 { notes.append("\(NumberFormat.count(capture.malformed)) malformed") }
        if let n = capture.invalidTimestamps { notes.append("\(NumberFormat.count(n)) invalid timestamps") }
        if let clock {
            notes.append("clock offset \(NumberFormat.offset(clock.offsetSeconds)) (from \(NumberFormat.count(clock.matched)) shared packets, spread \(NumberFormat.offset(clock.spreadSeconds).dropFirst()))")
        }
        if let points = capture.points {
            // Each interface of the file is its own capture point: `file@2`, named here by what follows `@`.
            let names = points.map { $0.hasPrefix(capture.path + "@") ? String($0.dropFirst(capture.path.count)) : $0 }
            notes.append("\(points.count) capture points: " + escape(names.joined(separator: ", ")))
        }
        return notes
    }
}

extension CheckStatus {
    /// Upper-case word for banners and terminals: `PASS`.
    var word: String { rawValue.uppercased() }

    /// GitHub emoji for Markdown.
    var emoji: String {
        switch self {
        case .pass: "✅"
        case .fail: "❌"
        case .warn: "⚠️"
        case .skip: "⏭️"
        }
    }

    /// A plain symbol every common font has (HTML, terminals).
    var symbol: String {
        switch self {
        case .pass: "✓"
        case .fail: "✗"
        case .warn: "!"
        case .skip: "–"
        }
    }

    /// Display order in summaries: the worst first.
    static let worstFirst: [CheckStatus] = [.fail, .warn, .pass, .skip]
}

/// How many checks have each status.
struct StatusCounts {
    var pass = 0, fail = 0, warn = 0, skip = 0

    init(_ checks: [CheckResult]) {
        for check in checks {
            switch check.status {
            case .pass: pass += 1
            case .fail: fail += 1
            case .warn: warn += 1
            case .skip: skip += 1
            }
        }
    }

    var total: Int { pass + fail + warn + skip }

    subscript(status: CheckStatus) -> Int {
        switch status {
        case .pass: pass
        case .fail: fail
        case .warn: warn
        case .skip: skip
        }
    }

    /// `2 failed, 1 warning, 9 passed, 2 skipped`.
    var phrase: String {
        "\(fail) failed, \(NumberFormat.count(warn, "warning")), \(pass) passed, \(skip) skipped"
    }
}

/// A check's hint as prose and code: the hint writes commands and settings in backticks,
/// which each format renders as its own code (an unpaired backtick stays prose).
enum HintText {
    static func segments(_ hint: String) -> [(code: Bool, text: String)] {
        let parts = OneLine.clean(hint).split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        var out: [(code: Bool, text: String)] = []
        for (i, part) in parts.enumerated() where !part.isEmpty {
            // An odd index is inside backticks, unless it is the unclosed last part.
            let code = i % 2 == 1 && i < parts.count - 1
            out.append((code, code ? part : (i % 2 == 1 ? "`" + part : part)))
        }
        return out
    }
}

/// A Wireshark display filter that shows a check's evidence frames, one per capture.
struct EvidenceFilter: Equatable {
    /// The capture point (`file@interface`), else the capture's path as given on the command line.
    var capture: String
    /// The frames of that capture, ascending, without duplicates.
    var frames: [Int]

    /// `frame.number in {12 14 19}` (Wireshark's set membership; works in tshark `-Y` too).
    var displayFilter: String {
        frames.count == 1 ? "frame.number == \(frames[0])"
            : "frame.number in {" + frames.map(String.init).joined(separator: " ") + "}"
    }

    /// One filter per capture, in the order the captures first appear in `evidence`.
    static func grouped(_ evidence: [Evidence]) -> [EvidenceFilter] {
        var order: [String] = []
        var frames: [String: Set<Int>] = [:]
        for item in evidence {
            if frames[item.place] == nil { order.append(item.place) }
            frames[item.place, default: []].insert(item.frame)
        }
        return order.map { EvidenceFilter(capture: $0, frames: frames[$0, default: []].sorted()) }
    }
}

/// Route-table rows in a stable reading order: present, then the problems.
enum RouteRows {
    static func sorted(_ rows: [RouteRow]) -> [RouteRow] {
        func rank(_ state: RouteState) -> Int { RouteState.allCases.firstIndex(of: state)! }
        return rows.enumerated().sorted {
            let (a, b) = (rank($0.element.state), rank($1.element.state))
            return a != b ? a < b : $0.offset < $1.offset
        }.map(\.element)
    }

    /// Is this state a problem (shown in red/amber)?
    static func isProblem(_ state: RouteState) -> Bool { state != .present }

    /// `✅ present`, `❌ missing` …
    static func emoji(_ state: RouteState) -> String {
        switch state {
        case .present: "✅"
        case .withdrawn: "⚠️"
        default: "❌"
        }
    }

    /// `present: 2 · missing: 1`.
    static func tally(_ rows: [RouteRow]) -> String {
        var counts: [RouteState: Int] = [:]
        for row in rows { counts[row.state, default: 0] += 1 }
        return RouteState.allCases.filter { counts[$0] != nil }.map { "\($0): \(counts[$0, default: 0])" }.joined(separator: " · ")
    }
}

/// The control-plane tables as plain cells (each report escapes them): OSPF per link,
/// BGP sessions over time.
enum ControlTables {
    static let linkTitle = "OSPF links"
    static let linkHeader = ["Link", "Capture", "Routers", "State", "DR / BDR", "Hello / dead", "DBD MTU"]

    static func linkCells(_ l: OSPFLinkRow) -> [String] {
        let roles = l.designatedRouter.map { "\($0) / \(l.backupDesignatedRouter ?? "none")" } ?? "—"
        let intervals = l.helloInterval.map { "\($0) s / \(l.deadInterval.map(String.init) ?? "?") s" } ?? "—"
        let mtus = l.mtus.isEmpty ? "not seen" : l.mtus.map(String.init).joined(separator: " / ")
        return [l.link, l.capture, l.routers.joined(separator: ", "), l.state, roles, intervals, mtus]
    }

    static let sessionTitle = "BGP sessions"
    static let sessionHeader = ["Session", "State", "Time", "From", "Event", "Capture", "Frame", "Detail"]

    /// One row per state change; the session and its last state on its first row only.
    static func sessionCells(_ sessions: [BGPSessionRow]) -> [[String]] {
        let start = sessions.flatMap(\.events).map(\.time).min() ?? 0
        return sessions.flatMap { s in
            let name = s.peers.joined(separator: " – ")
            guard !s.events.isEmpty else { return [[name, s.state, "—", "—", "—", "—", "—", "no OPEN or NOTIFICATION in the captures"]] }
            return s.events.enumerated().map { i, e in
                let capture = e.capture.split(separator: "/").last.map(String.init) ?? e.capture
                return [i == 0 ? name : "", i == 0 ? s.state : "", "+" + NumberFormat.duration(e.time - start), e.from, e.event, capture, String(e.frame), e.detail]
            }
        }
    }
}
