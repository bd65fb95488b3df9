// crosswire.html: one self-contained page (inline CSS and SVG, no outside
// resources) that reads at a glance and prints cleanly.

import CrosswireVerdict

/// Renders a verdict as one self-contained HTML page (`crosswire.html`).
///
/// The page needs nothing from outside: styles and charts are inline, evidence
/// expands with `<details>`, and the only script is a two-line `beforeprint`
/// handler that opens every `<details>` for printing. Every plan- or
/// packet-derived string is HTML-escaped (`& < > " '`).
public enum HTMLReport {
    /// The whole page.
    public static func render(_ verdict: Verdict) -> String {
        var html = HTMLWriter()
        html.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        html.raw("<title>Crosswire \(verdict.overall.word): \(HTMLEscape.line(verdict.plan))</title>\n")
        html.raw("<style>\n\(HTMLStyle.css)\n</style>\n</head>\n<body>\n<main>\n")
        header(verdict, into: &html)
        checks(verdict, into: &html)
        captures(verdict, into: &html)
        traffic(verdict, into: &html)
        routes(verdict, into: &html)
        events(verdict.events, into: &html)
        footer(verdict, into: &html)
        html.raw("</main>\n<script>addEventListener(\"beforeprint\",function(){"
            + "document.querySelectorAll(\"details\").forEach(function(d){d.open=true;});});</script>\n")
        html.raw("</body>\n</html>\n")
        return html.text
    }

    private typealias Esc = HTMLEscape

    private static func pill(_ status: CheckStatus) -> String {
        "<span class=\"pill \(status.rawValue)\">\(status.symbol) \(status.rawValue)</span>"
    }

    private static func header(_ verdict: Verdict, into html: inout HTMLWriter) {
        let counts = StatusCounts(verdict.checks)
        let overall = verdict.overall
        html.raw("<h1>Crosswire report: \(Esc.line(verdict.plan))</h1>\n")
        html.raw("<p class=\"sub\">Plan <code>\(Esc.line(verdict.planPath))</code> · "
            + "\(NumberFormat.count(verdict.metrics.packets)) packets, \(Esc.text(NumberFormat.bytes(verdict.metrics.bytes))) in "
            + "\(NumberFormat.count(verdict.captures.count, "capture"))</p>\n")
        html.raw("<section class=\"banner \(overall.rawValue)\" id=\"overall\" data-status=\"\(overall.rawValue)\">"
            + "<div class=\"icon\">\(overall.symbol)</div><div><div class=\"big\">\(overall.word)</div>"
            + "<div class=\"counts\">")
        for status in CheckStatus.worstFirst {
            let zero = counts[status] == 0 ? " zero" : ""
            html.raw("<span class=\"pill \(status.rawValue)\(zero)\">\(counts[status]) \(status.rawValue)</span>")
        }
        html.raw("</div></div></section>\n")
        for capture in verdict.captures {
            guard let cut = capture.incomplete else { continue }
            html.raw("<div class=\"alert\"><strong>Incomplete:</strong> <code>\(Esc.line(capture.path))</code> could not "
                + "be read past frame \(cut.frame): \(Esc.line(cut.reason)). The checks judged only the frames before it.</div>\n")
        }
        for capture in verdict.captures {
            guard let drops = capture.drops, drops.droppedByKernel + drops.droppedByInterface > 0 else { continue }
            html.raw("<div class=\"alert\"><strong>Packets dropped:</strong> <code>\(Esc.line(capture.path))</code> lost "
                + "\(NumberFormat.count(drops.droppedByKernel + drops.droppedByInterface)) packets while capturing; "
                + "a missing packet may hide or fake a finding.</div>\n")
        }
    }

    private static func checks(_ verdict: Verdict, into html: inout HTMLWriter) {
        html.raw("<h2>Checks</h2>\n")
        guard !verdict.checks.isEmpty else {
            html.raw("<p class=\"muted\">No checks were run.</p>\n")
            return
        }
        html.raw("<table class=\"checks\">\n<thead><tr><th>Status</th><th>Check</th><th>Result</th>"
            + "<th class=\"num\">Evidence</th></tr></thead>\n<tbody>\n")
        for check in verdict.checks {
            let status = check.status.rawValue
            let title = "<span class=\"title\">\(Esc.text(check.id.title))</span>"
            html.raw("<tr class=\"\(status)\" id=\"check-\(Esc.line(check.id.rawValue))\" data-check=\"\(Esc.line(check.id.rawValue))\" "
                + "data-status=\"\(status)\">")
            html.raw("<td class=\"status\">\(pill(check.status))</td><td class=\"id mono\">\(Esc.line(check.id.rawValue))\(title)</td><td class=\"wrap\">")
            // The hint sits right under the summary: first in an open <details> (fail), after a closed one (warn).
            let hint = check.hint.map { hint in
                "<div class=\"hint\"><span class=\"label\">Hint</span> "
                    + HintText.segments(hint).map { $0.code ? "<code>\(Esc.text($0.text))</code>" : Esc.text($0.text) }.joined() + "</div>"
            } ?? ""
            let hasDetail = check.expected != nil || !check.observed.isEmpty || !check.evidence.isEmpty
            if hasDetail {
                let open = check.status == .fail
                html.raw(open ? "<details open>" : "<details>")
                html.raw("<summary>\(Esc.line(check.summary))</summary>" + (open ? hint : ""))
                detail(check, into: &html)
                html.raw("</details>" + (open ? "" : hint))
            } else {
                html.raw(Esc.line(check.summary) + hint)
            }
            let count = check.evidence.count + check.evidenceOmitted
            html.raw("</td><td class=\"num evidence\">\(count > 0 ? NumberFormat.count(count) : "–")</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    private static func detail(_ check: CheckResult, into html: inout HTMLWriter) {
        if let expected = check.expected {
            html.raw("<div class=\"detail-block\"><span class=\"label\">Expected</span><br>\(Esc.line(expected))</div>")
        }
        if !check.observed.isEmpty {
            html.raw("<div class=\"detail-block\"><span class=\"label\">Observed</span><ul>")
            for line in check.observed { html.raw("<li>\(Esc.line(line))</li>") }
            html.raw("</ul></div>")
        }
        guard !check.evidence.isEmpty else { return }
        // One row group per capture, headed by its path and Wireshark filter: a long path is written once.
        html.raw("<div class=\"detail-block\"><span class=\"label\">Evidence</span>")
        html.raw("<table class=\"inner evidence\"><thead><tr><th class=\"num\">Frame</th><th>Detail</th></tr></thead>")
        for filter in EvidenceFilter.grouped(check.evidence) {
            html.raw("<tbody><tr class=\"capture\"><th colspan=\"2\"><span class=\"mono\">\(Esc.line(filter.capture))</span>"
                + " · <code>\(Esc.text(filter.displayFilter))</code></th></tr>")
            for item in check.evidence where item.place == filter.capture {
                html.raw("<tr><td class=\"num\">\(item.frame)</td><td>\(Esc.line(item.detail))</td></tr>")
            }
            html.raw("</tbody>")
        }
        html.raw("</table>")
        if check.evidenceOmitted > 0 {
            html.raw("<div class=\"muted\">\(NumberFormat.count(check.evidenceOmitted)) more frames not listed.</div>")
        }
        html.raw("</div>")
    }

    private static func captures(_ verdict: Verdict, into html: inout HTMLWriter) {
        html.raw("<h2>Captures</h2>\n")
        guard !verdict.captures.isEmpty else {
            html.raw("<p class=\"muted\">No captures were read.</p>\n")
            return
        }
        html.raw("<table>\n<thead><tr><th>Capture</th><th>Link type</th><th class=\"num\">Packets</th>"
            + "<th class=\"num\">Bytes</th><th>Time span</th><th>Notes</th></tr></thead>\n<tbody>\n")
        for capture in verdict.captures {
            let notes = Format.captureNotes(capture, clock: verdict.clockOffset(of: capture), problem: { "<span class=\"state-problem\">\($0)</span>" }, escape: Esc.line)
            html.raw("<tr><td class=\"mono wrap\">\(Esc.line(capture.path))</td><td>\(Esc.line(capture.linktype))</td>"
                + "<td class=\"num\">\(NumberFormat.count(capture.packets))</td><td class=\"num\">\(Esc.text(NumberFormat.bytes(capture.bytes)))</td>"
                + "<td>\(Esc.text(Format.timeSpan(capture)))</td><td>\(notes.isEmpty ? "–" : notes.joined(separator: "<br>"))</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    private static func traffic(_ verdict: Verdict, into html: inout HTMLWriter) {
        let metrics = verdict.metrics
        html.raw("<h2>Encapsulation</h2>\n")
        if metrics.encapsulation.isEmpty {
            html.raw("<p class=\"muted\">No tunnel traffic was seen.</p>\n")
        } else {
            html.raw("<figure><figcaption>Bytes on the wire by encapsulation kind; orange is the encapsulation overhead."
                + "</figcaption>\(SVGCharts.encapsulation(metrics.encapsulation))</figure>\n")
            html.raw("<table>\n<thead><tr><th>Kind</th><th class=\"num\">Packets</th><th class=\"num\">Frames</th>"
                + "<th class=\"num\">Bytes</th><th class=\"num\">Overhead bytes</th><th class=\"num\">Per packet</th>"
                + "<th class=\"num\">Share of bytes</th></tr></thead>\n<tbody>\n")
            for metric in metrics.encapsulation {
                html.raw("<tr><td class=\"mono\">\(Esc.line(metric.kind))</td><td class=\"num\">\(NumberFormat.count(metric.packets))</td>"
                    + "<td class=\"num\">\(NumberFormat.count(metric.frames))</td><td class=\"num\">\(Esc.text(NumberFormat.bytes(metric.bytes)))</td>"
                    + "<td class=\"num\">\(NumberFormat.count(metric.overheadBytes))</td>"
                    + "<td class=\"num\">\(Esc.text(NumberFormat.decimal(metric.overheadBytesPerPacket))) B</td>"
                    + "<td class=\"num\">\(Esc.text(NumberFormat.percent(metric.overheadRatio)))</td></tr>\n")
            }
            html.raw("</tbody>\n</table>\n")
        }
        guard !metrics.hostPairs.isEmpty else { return }
        html.raw("<h2>Traffic per host pair</h2>\n")
        html.raw("<figure><figcaption>Bytes between planned hosts")
        if metrics.hostPairs.count > SVGCharts.hostPairLimit { html.raw(" (the \(SVGCharts.hostPairLimit) busiest pairs)") }
        html.raw(".</figcaption>\(SVGCharts.hostPairs(metrics.hostPairs))</figure>\n")
        if metrics.hostPairs.count > SVGCharts.hostPairLimit {
            html.raw("<details><summary>All \(metrics.hostPairs.count) host pairs</summary>")
            html.raw("<table class=\"inner\"><thead><tr><th>From</th><th>To</th><th class=\"num\">Packets</th>"
                + "<th class=\"num\">Bytes</th></tr></thead><tbody>")
            for pair in metrics.hostPairs.sorted(by: { $0.bytes > $1.bytes }) {
                html.raw("<tr><td>\(Esc.line(pair.from))</td><td>\(Esc.line(pair.to))</td>"
                    + "<td class=\"num\">\(NumberFormat.count(pair.packets))</td><td class=\"num\">\(Esc.text(NumberFormat.bytes(pair.bytes)))</td></tr>")
            }
            html.raw("</tbody></table></details>\n")
        }
    }

    private static func routes(_ verdict: Verdict, into html: inout HTMLWriter) {
        routeTable("BGP announcements", verdict.bgpRoutes, into: &html)
        routeTable("OSPF advertisements", verdict.ospfRoutes, into: &html)
        routeTable("OSPF adjacencies", verdict.ospfAdjacencies, into: &html, prefixTitle: "Neighbour / segment")
        table(ControlTables.linkTitle, ControlTables.linkHeader, verdict.ospfLinks.map(ControlTables.linkCells), into: &html)
        table(ControlTables.sessionTitle, ControlTables.sessionHeader, ControlTables.sessionCells(verdict.bgpSessions), into: &html)
    }

    private static func table(_ title: String, _ header: [String], _ rows: [[String]], into html: inout HTMLWriter) {
        guard !rows.isEmpty else { return }
        html.raw("<h2>\(Esc.text(title))</h2>\n<table>\n<thead><tr>" + header.map { "<th>\(Esc.text($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n")
        for row in rows { html.raw("<tr>" + row.map { "<td>\(Esc.line($0))</td>" }.joined() + "</tr>\n") }
        html.raw("</tbody>\n</table>\n")
    }

    private static func routeTable(
        _ title: String, _ rows: [RouteRow], into html: inout HTMLWriter, prefixTitle: String = "Prefix"
    ) {
        guard !rows.isEmpty else { return }
        html.raw("<h2>\(Esc.text(title))</h2>\n<p class=\"muted\">\(Esc.text(RouteRows.tally(rows)))</p>\n")
        html.raw("<table>\n<thead><tr><th>State</th><th>Speaker</th><th>\(Esc.text(prefixTitle))</th><th>Next hop</th>"
            + "<th>Detail</th></tr></thead>\n<tbody>\n")
        for row in RouteRows.sorted(rows) {
            let cls = RouteRows.isProblem(row.state) ? "state-problem" : "state-present"
            html.raw("<tr><td class=\"\(cls)\">\(Esc.line(row.state.rawValue))</td><td>\(Esc.line(row.speaker))</td>"
                + "<td class=\"mono\">\(Esc.line(row.prefix))</td><td class=\"mono\">\(row.nextHop.map { Esc.line($0) } ?? "–")</td>"
                + "<td>\(row.detail.map { Esc.line($0) } ?? "–")</td></tr>\n")
        }
        html.raw("</tbody>\n</table>\n")
    }

    private static func events(_ events: [ControlEvent], into html: inout HTMLWriter) {
        guard !events.isEmpty else { return }
        let sorted = events.sorted { $0.time < $1.time }
        let start = sorted[0].time
        html.raw("<h2>Control-plane timeline</h2>\n")
        html.raw("<figure><figcaption>BGP and OSPF messages from \(Esc.text(NumberFormat.timestamp(start))); "
            + "red marks a NOTIFICATION. Hover a marker for its frame.</figcaption>\(SVGCharts.timeline(sorted))</figure>\n")
        html.raw("<details><summary>\(NumberFormat.count(sorted.count, "event"))</summary>")
        html.raw("<table class=\"inner\"><thead><tr><th class=\"num\">Time</th><th>Protocol</th><th>Message</th>"
            + "<th>Capture</th><th class=\"num\">Frame</th><th>Detail</th></tr></thead><tbody>")
        for event in sorted {
            html.raw("<tr><td class=\"num\">+\(Esc.text(NumberFormat.duration(event.time - start)))</td>"
                + "<td>\(Esc.line(event.proto.uppercased()))</td><td>\(Esc.line(event.kind))</td>"
                + "<td class=\"mono\">\(Esc.line(event.capture))</td><td class=\"num\">\(event.frame)</td>"
                + "<td>\(Esc.line(event.detail))</td></tr>")
        }
        html.raw("</tbody></table></details>\n")
    }

    private static func footer(_ verdict: Verdict, into html: inout HTMLWriter) {
        var parts = ["Generated by \(Esc.line(verdict.tool))"]
        if let elapsed = verdict.elapsedSeconds { parts.append("analysis took \(Esc.text(NumberFormat.duration(elapsed)))") }
        if verdict.metrics.malformed > 0 { parts.append("\(NumberFormat.count(verdict.metrics.malformed)) malformed packets") }
        let evictions = verdict.metrics.evictions.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !evictions.isEmpty {
            parts.append("table evictions: " + evictions.map { "\(Esc.line($0.key)) \(NumberFormat.count($0.value))" }
                .joined(separator: ", "))
        }
        html.raw("<footer>\(parts.joined(separator: " · ")).</footer>\n")
    }
}

/// Accumulates HTML; callers escape every data-derived piece before `raw`.
struct HTMLWriter {
    private(set) var text = ""
    mutating func raw(_ fragment: String) { text += fragment }
}
