// Formatting shared by the reports: numbers, times, status words and icons,
// status counts and Wireshark display filters for evidence.

import CrosswireVerdict
import Foundation

/// Numbers, sizes and times as the reports print them (locale-independent).
enum Format {
    /// `12345` → `12,345`.
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// `1536` → `1.5 KiB`; below 1 KiB the exact count of bytes.
    static func bytes(_ n: Int) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        if abs(value) < 1024 { return "\(count(n)) B" }
        var unit = -1
        while abs(value) >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f %@", value, units[unit])
    }

    /// A number with at most `digits` decimals, trailing zeros dropped: `50.0` → `50`.
    static func decimal(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return "–" }
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// Seconds since the epoch as UTC ISO 8601 with milliseconds: `2024-05-01T12:00:00.123Z`.
    static func timestamp(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    /// A duration in seconds: `12.345 s`, `1 h 02 min 03 s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        if seconds < 60 { return String(format: "%.3f s", seconds) }
        let total = Int(seconds.rounded())
        let (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d h %02d min %02d s", h, m, s) : String(format: "%d min %02d s", m, s)
    }

    /// A clock offset to the microsecond, signed: `-90.000011 s`, `+0.000006 s`.
    static func offset(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        return String(format: "%+.6f s", seconds)
    }

    /// A capture's first and last packet times and the span between them.
    static func timeSpan(_ capture: CaptureSummary) -> String {
        guard let first = capture.firstTime else { return "no packets" }
        let last = capture.lastTime ?? first
        return "\(timestamp(first)) – \(timestamp(last)) (\(duration(last - first)))"
    }
}

extension Format {
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
            notes.append((dropped > 0 ? problem("\(count(dropped)) dropped") : "no drops")
                + " (kernel \(count(drops.droppedByKernel)), interface \(count(drops.droppedByInterface)), "
                + "received \(count(drops.received)))")
        }
        if capture.malformed > 0 { notes.append("\(count(capture.malformed)) malformed") }
        if let n = capture.invalidTimestamps { notes.append("\(count(n)) invalid timestamps") }
        if let clock {
            notes.append("clock offset \(offset(clock.offsetSeconds)) (from \(count(clock.matched)) shared packets, spread \(offset(clock.spreadSeconds).dropFirst()))")
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
        "\(fail) failed, \(warn) warning\(warn == 1 ? "" : "s"), \(pass) passed, \(skip) skipped"
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
                return [i == 0 ? name : "", i == 0 ? s.state : "", "+" + Format.duration(e.time - start), e.from, e.event, capture, String(e.frame), e.detail]
            }
        }
    }
}
