// crosswire.md: the verdict as GitHub-flavoured Markdown.

import CrosswireVerdict

/// Renders a verdict as GitHub-flavoured Markdown (`crosswire.md`).
///
/// Every plan- or packet-derived string is escaped (`MarkdownEscape`), so a
/// name holding `|`, `<script>` or backticks can neither break a table nor
/// inject HTML.
public enum MarkdownReport {
    /// The whole report.
    public static func render(_ verdict: Verdict) -> String {
        var out = MarkdownWriter()
        header(verdict, into: &out)
        captures(verdict, into: &out)
        summary(verdict, into: &out)
        details(verdict, into: &out)
        encapsulation(verdict.metrics, into: &out)
        hostPairs(verdict.metrics, into: &out)
        routeTable("BGP announcements", verdict.bgpRoutes, into: &out)
        routeTable("OSPF advertisements", verdict.ospfRoutes, into: &out)
        routeTable("OSPF adjacencies", verdict.ospfAdjacencies, into: &out, prefixTitle: "Neighbour / segment")
        table(ControlTables.linkTitle, ControlTables.linkHeader, verdict.ospfLinks.map(ControlTables.linkCells), into: &out)
        table(ControlTables.sessionTitle, ControlTables.sessionHeader, ControlTables.sessionCells(verdict.bgpSessions), into: &out)
        events(verdict.events, into: &out)
        footer(verdict, into: &out)
        return out.text
    }

    private typealias Esc = MarkdownEscape

    private static func header(_ verdict: Verdict, into out: inout MarkdownWriter) {
        let counts = StatusCounts(verdict.checks)
        out.line("# Crosswire report: \(Esc.text(verdict.plan))")
        out.blank()
        out.line("**Overall: \(verdict.overall.emoji) \(verdict.overall.word)** — \(counts.phrase)")
        out.blank()
        out.line("Plan file: \(Esc.code(verdict.planPath)) · \(NumberFormat.count(verdict.metrics.packets)) packets, "
            + "\(NumberFormat.bytes(verdict.metrics.bytes)) in \(NumberFormat.count(verdict.captures.count, "capture"))")
        out.blank()
        for capture in verdict.captures {
            guard let cut = capture.incomplete else { continue }
            out.line("> ⚠️ **Incomplete:** \(Esc.code(capture.path)) could not be read past frame \(cut.frame): "
                + "\(Esc.text(cut.reason)). The checks judged only the frames before it.")
            out.blank()
        }
    }

    private static func captures(_ verdict: Verdict, into out: inout MarkdownWriter) {
        out.line("## Captures")
        out.blank()
        guard !verdict.captures.isEmpty else {
            out.line("No captures were read.")
            out.blank()
            return
        }
        out.row(["Capture", "Link type", "Packets", "Bytes", "Time span", "Notes"])
        out.row(["---", "---", "---:", "---:", "---", "---"])
        for capture in verdict.captures {
            let notes = Format.captureNotes(capture, clock: verdict.clockOffset(of: capture), problem: { "⚠️ **\($0)**" }, escape: { Esc.text($0) })
            out.row([
                Esc.code(capture.path, inTable: true), Esc.text(capture.linktype), NumberFormat.count(capture.packets),
                NumberFormat.bytes(capture.bytes), Format.timeSpan(capture), notes.isEmpty ? "—" : notes.joined(separator: "; "),
            ])
        }
        out.blank()
    }

    private static func summary(_ verdict: Verdict, into out: inout MarkdownWriter) {
        out.line("## Summary")
        out.blank()
        guard !verdict.checks.isEmpty else {
            out.line("No checks were run.")
            out.blank()
            return
        }
        out.row(["Check", "Status", "Summary"])
        out.row(["---", "---", "---"])
        for check in verdict.checks {
            out.row([Esc.code(check.id.rawValue, inTable: true), "\(check.status.emoji) \(check.status.rawValue)", Esc.text(check.summary)])
        }
        out.blank()
    }

    private static func details(_ verdict: Verdict, into out: inout MarkdownWriter) {
        guard !verdict.checks.isEmpty else { return }
        out.line("## Checks")
        out.blank()
        for check in verdict.checks {
            out.line("### \(check.status.emoji) \(Esc.text(check.id.rawValue)): \(check.status.rawValue)")
            out.blank()
            out.line("*Verifies: \(Esc.text(check.id.title)).*"); out.blank()
            out.line("**Summary:** \(Esc.text(check.summary))")
            out.blank()
            if let hint = check.hint {
                out.line("**Hint:** " + HintText.segments(hint).map { $0.code ? Esc.code($0.text) : Esc.text($0.text) }.joined())
                out.blank()
            }
            if let expected = check.expected {
                out.line("**Expected:** \(Esc.text(expected))")
                out.blank()
            }
            if !check.observed.isEmpty {
                out.line("**Observed:**")
                out.blank()
                for line in check.observed { out.line("- \(Esc.text(line))") }
                out.blank()
            }
            guard !check.evidence.isEmpty else { continue }
            out.line("**Evidence** (\(NumberFormat.count(check.evidence.count, "frame"))"
                + (check.evidenceOmitted > 0 ? ", \(NumberFormat.count(check.evidenceOmitted)) more not listed" : "") + "):")
            out.blank()
            out.row(["Capture", "Frame", "Detail"])
            out.row(["---", "---:", "---"])
            for item in check.evidence {
                out.row([Esc.code(item.place, inTable: true), String(item.frame), Esc.text(item.detail)])
            }
            out.blank()
            out.line("Wireshark display filter:")
            out.blank()
            for filter in EvidenceFilter.grouped(check.evidence) {
                out.line("- \(Esc.code(filter.capture)): `\(filter.displayFilter)`")
            }
            out.blank()
        }
    }

    private static func encapsulation(_ metrics: Metrics, into out: inout MarkdownWriter) {
        out.line("## Encapsulation overhead")
        out.blank()
        guard !metrics.encapsulation.isEmpty else {
            out.line("No tunnel traffic was seen.")
            out.blank()
            return
        }
        out.row(["Kind", "Packets", "Frames", "Bytes", "Overhead bytes", "Per packet", "Share of bytes"])
        out.row(["---", "---:", "---:", "---:", "---:", "---:", "---:"])
        for metric in metrics.encapsulation {
            out.row([
                Esc.text(metric.kind), NumberFormat.count(metric.packets), NumberFormat.count(metric.frames),
                NumberFormat.bytes(metric.bytes), NumberFormat.count(metric.overheadBytes),
                "\(NumberFormat.decimal(metric.overheadBytesPerPacket)) B", NumberFormat.percent(metric.overheadRatio),
            ])
        }
        out.blank()
    }

    private static func hostPairs(_ metrics: Metrics, into out: inout MarkdownWriter) {
        guard !metrics.hostPairs.isEmpty else { return }
        out.line("## Traffic per host pair")
        out.blank()
        out.row(["From", "To", "Packets", "Bytes"])
        out.row(["---", "---", "---:", "---:"])
        for pair in metrics.hostPairs.sorted(by: { $0.bytes > $1.bytes }) {
            out.row([Esc.text(pair.from), Esc.text(pair.to), NumberFormat.count(pair.packets), NumberFormat.bytes(pair.bytes)])
        }
        out.blank()
    }

    private static func routeTable(
        _ title: String, _ rows: [RouteRow], into out: inout MarkdownWriter, prefixTitle: String = "Prefix"
    ) {
        guard !rows.isEmpty else { return }
        out.line("## \(title)")
        out.blank()
        out.line(Esc.text(RouteRows.tally(rows)))
        out.blank()
        out.row(["State", "Speaker", prefixTitle, "Next hop", "Detail"])
        out.row(["---", "---", "---", "---", "---"])
        for row in RouteRows.sorted(rows) {
            out.row([
                "\(RouteRows.emoji(row.state)) \(Esc.text(row.state.rawValue))", Esc.text(row.speaker), Esc.text(row.prefix),
                row.nextHop.map { Esc.text($0) } ?? "—", row.detail.map { Esc.text($0) } ?? "—",
            ])
        }
        out.blank()
    }

    private static func table(_ title: String, _ header: [String], _ rows: [[String]], into out: inout MarkdownWriter) {
        guard !rows.isEmpty else { return }
        out.line("## \(title)")
        out.blank()
        out.row(header)
        out.row(header.map { _ in "---" })
        for row in rows { out.row(row.map { $0.isEmpty ? "" : Esc.text($0) }) }
        out.blank()
    }

    /// At most this many control events are listed in Markdown (the HTML report has them all).
    static let eventLimit = 100

    private static func events(_ events: [ControlEvent], into out: inout MarkdownWriter) {
        guard !events.isEmpty else { return }
        let sorted = events.sorted { $0.time < $1.time }
        let start = sorted[0].time
        out.line("## Control-plane events")
        out.blank()
        out.row(["Time", "Protocol", "Message", "Capture", "Frame", "Detail"])
        out.row(["---:", "---", "---", "---", "---:", "---"])
        for event in sorted.prefix(eventLimit) {
            out.row([
                "+" + NumberFormat.duration(event.time - start), Esc.text(event.proto.uppercased()), Esc.text(event.kind),
                Esc.code(event.capture, inTable: true), String(event.frame), Esc.text(event.detail),
            ])
        }
        out.blank()
        if sorted.count > eventLimit {
            out.line("\(NumberFormat.count(sorted.count - eventLimit)) more events are not listed here; see the HTML report.")
            out.blank()
        }
    }

    private static func footer(_ verdict: Verdict, into out: inout MarkdownWriter) {
        var parts = ["Generated by \(Esc.text(verdict.tool))"]
        if let elapsed = verdict.elapsedSeconds { parts.append("analysis took \(NumberFormat.duration(elapsed))") }
        if verdict.metrics.malformed > 0 { parts.append("\(NumberFormat.count(verdict.metrics.malformed)) malformed packets") }
        let evictions = verdict.metrics.evictions.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !evictions.isEmpty {
            parts.append("table evictions: " + evictions.map { "\(Esc.text($0.key)) \(NumberFormat.count($0.value))" }
                .joined(separator: ", "))
        }
        out.line("---")
        out.blank()
        out.line("*" + parts.joined(separator: " · ") + ".*")
    }
}

/// Accumulates Markdown lines.
struct MarkdownWriter {
    private(set) var text = ""

    mutating func line(_ line: String) { text += line + "\n" }
    mutating func blank() { text += "\n" }
    /// A table row from cells that are already escaped.
    mutating func row(_ cells: [String]) { text += "| " + cells.joined(separator: " | ") + " |\n" }
}
