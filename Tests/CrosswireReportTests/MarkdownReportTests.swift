// crosswire.md, rendered by a real GFM implementation (Debian's cmark-gfm).

import CrosswireReport
import CrosswireVerdict
import Foundation
import Testing

@Suite struct MarkdownReportTests {
    /// The Markdown rendered to HTML by `cmark-gfm -e table --unsafe` (unsafe: raw HTML
    /// would pass through, so an escaping bug would show).
    static func renderGFM(_ markdown: String) throws -> String {
        let dir = try ExternalTools.scratchDirectory("md")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("crosswire.md")
        try Data(markdown.utf8).write(to: file)
        let result = try ExternalTools.run(
            ExternalTools.cmarkGFM!, ["-e", "table", "-e", "strikethrough", "-e", "autolink", "--unsafe", file.path],
            timeout: 30)
        #expect(result.status == 0, "cmark-gfm failed: \(result.stderr)")
        return result.stdout
    }

    @Test(
        .enabled(if: ExternalTools.cmarkGFM != nil, "cmark-gfm not installed (apt-get install cmark-gfm)"),
        arguments: Fixtures.all.map(\.name))
    func summaryTableRendersOneRowPerCheck(fixture: String) throws {
        let verdict = Fixtures.all.first { $0.name == fixture }!.verdict
        let html = try Self.renderGFM(MarkdownReport.render(verdict))
        let table = try #require(HTMLText.section(html, after: "<h2>Summary</h2>", open: "<table>", close: "</table>"))
        let body = try #require(HTMLText.section(table, after: "</thead>", open: "<tbody>", close: "</tbody>"))
        let rows = HTMLText.elements("tr", in: body)
        #expect(rows.count == verdict.checks.count)
        for (row, check) in zip(rows, verdict.checks) {
            let cells = HTMLText.elements("td", in: row).map(HTMLText.plain)
            #expect(cells.count == 3)
            #expect(cells.first == check.id.rawValue)
            #expect(cells.dropFirst().first?.hasSuffix(check.status.rawValue) == true)
            // The summary arrives whole: an unescaped `|` would have cut it into extra (dropped) cells.
            #expect(cells.last == check.summary.replacingOccurrences(of: "\n", with: " "))
        }
        if fixture != "hostile" {
            #expect(!table.contains("|"), "a raw | leaked into the summary table")
            #expect(!html.contains("|"), "a raw | leaked somewhere")
        }
        #expect(!html.contains("<script"), "raw HTML leaked")
    }

    @Test(.enabled(if: ExternalTools.cmarkGFM != nil, "cmark-gfm not installed (apt-get install cmark-gfm)"))
    func failingReportShowsExpectedObservedEvidenceAndFilters() throws {
        let verdict = Fixtures.failing
        let markdown = MarkdownReport.render(verdict)
        let html = try Self.renderGFM(markdown)
        #expect(html.contains("<h1>Crosswire report: vxlan-bgp-lab</h1>"))
        #expect(markdown.contains("**Overall: ❌ FAIL**"))
        // Captures with link type, packets, time span and the drop marked.
        let captures = try #require(HTMLText.section(html, after: "<h2>Captures</h2>", open: "<table>", close: "</table>"))
        #expect(captures.contains("LINUX_SLL2"))
        #expect(captures.contains("2024-05-01T12:00:00.000Z"))
        #expect(captures.contains("3 dropped"))
        // The NAT check's evidence with one Wireshark filter per capture.
        #expect(html.contains("<code>frame.number in {12 14 19}</code>"))
        #expect(html.contains("<code>frame.number == 7</code>"))
        #expect(markdown.contains("2 more not listed"))
        #expect(html.contains("nat: none, container sources cross hosts unchanged"))
        // Encapsulation and BGP tables.
        let encap = try #require(HTMLText.section(html, after: "<h2>Encapsulation overhead</h2>", open: "<table>", close: "</table>"))
        #expect(encap.contains("vxlan") && encap.contains("50 B") && encap.contains("6.20%"))
        let bgp = try #require(HTMLText.section(html, after: "<h2>BGP announcements</h2>", open: "<table>", close: "</table>"))
        let states = HTMLText.elements("tr", in: bgp).dropFirst().compactMap { HTMLText.elements("td", in: $0).first }
        #expect(states == ["✅ present", "❌ missing", "❌ extra"])
        #expect(html.contains("NOTIFICATION"))
    }

    /// The notes of a capture row say the same in Markdown and HTML: drops (marked only when
    /// something was dropped), malformed frames and invalid timestamps.
    @Test func captureNotesAreTheSameInEveryFormat() {
        var verdict = Fixtures.incomplete
        var live = CaptureSummary(path: "eth0", linktype: "EN10MB", packets: 1_200, bytes: 90_000)
        live.drops = CaptureDrops(received: 1_250, droppedByKernel: 40, droppedByInterface: 10)
        live.invalidTimestamps = 3
        var clean = CaptureSummary(path: "br0", linktype: "EN10MB", packets: 10, bytes: 900)
        clean.drops = CaptureDrops(received: 10, droppedByKernel: 0, droppedByInterface: 0)
        verdict.captures += [live, clean]
        let markdown = MarkdownReport.render(verdict)
        let html = HTMLReport.render(verdict)
        #expect(markdown.contains("⚠️ **50 dropped** (kernel 40, interface 10, received 1,250); 3 invalid timestamps"))
        #expect(html.contains("<span class=\"state-problem\">50 dropped</span> (kernel 40, interface 10, received 1,250)<br>3 invalid timestamps"))
        #expect(markdown.contains("no drops (kernel 0, interface 0, received 10)"))
        #expect(html.contains("no drops (kernel 0, interface 0, received 10)"))
        #expect(markdown.contains("⚠️ **incomplete** at frame 57: record header says 1514 bytes, 200 left in the file; 1 malformed"))
        #expect(html.contains("<span class=\"state-problem\">incomplete</span> at frame 57: record header says 1514 bytes, 200 left in the file<br>1 malformed"))
    }

    /// A capture whose clock was moved, and one holding several interfaces, say so in both formats.
    @Test func clockOffsetsAndCapturePointsAreNoted() {
        var verdict = Fixtures.incomplete
        var b = CaptureSummary(path: "b.pcap", linktype: "LINUX_SLL2", packets: 30, bytes: 4_000)
        b.points = ["b.pcap@2", "b.pcap@3"]
        verdict.captures.append(b)
        verdict.metrics.clockOffsets = [ClockOffset(capture: "b.pcap", offsetSeconds: -90.000011, matched: 28, spreadSeconds: 0.000161)]
        let markdown = MarkdownReport.render(verdict)
        let html = HTMLReport.render(verdict)
        for text in [markdown, html] {
            #expect(text.contains("clock offset -90.000011 s (from 28 shared packets, spread 0.000161 s)"))
            #expect(text.contains("2 capture points: @2, @3"))
        }
    }

    @Test func incompleteCaptureIsMarked() {
        let markdown = MarkdownReport.render(Fixtures.incomplete)
        #expect(markdown.contains("**Incomplete:** `cut.pcap` could not be read past frame 57"))
        #expect(markdown.contains("**incomplete** at frame 57"))
    }

    @Test(.enabled(if: ExternalTools.cmarkGFM != nil, "cmark-gfm not installed (apt-get install cmark-gfm)"))
    func hostileStringsRenderLiterally() throws {
        let verdict = Fixtures.hostile
        let html = try Self.renderGFM(MarkdownReport.render(verdict))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<svg"))
        for markup in ["<em>b</em>", "<strong>b</strong>", "<em>i</em>", "<code>tick</code>", "<del>s</del>", "<a href", "<h1>1"] {
            #expect(!html.contains(markup), "Markdown syntax in data was interpreted: \(markup)")
        }
        let heading = try #require(HTMLText.elements("h1", in: html).first)
        #expect(HTMLText.plain(heading) == "Crosswire report: " + Fixtures.evil)
        // List items that start like list markers stay text.
        #expect(html.contains("<li>- &lt;script&gt;"))
        #expect(html.contains("<li>1. &lt;script&gt;"))
        #expect(!html.contains("<ol"))
    }

    /// Issue 16: OSPF per link and BGP sessions over time, one row per state change.
    @Test func controlPlaneTablesShowLinksAndSessionsOverTime() {
        var verdict = Fixtures.allPass
        var link = OSPFLinkRow(link: "192.168.57.0/24", capture: "host1-eth1.pcap", routers: ["host1", "host2"], state: "exchange seen")
        (link.designatedRouter, link.helloInterval, link.deadInterval, link.mtus) = ("host1", 2, 8, [1500, 9000])
        verdict.ospfLinks = [link]
        let t = Fixtures.t0
        verdict.bgpSessions = [BGPSessionRow(peers: ["host1", "host2"], addresses: ["192.168.56.119", "192.168.56.120"], state: "closed", events: [
            .init(capture: "a/host1-eth0.pcap", frame: 7, time: t, from: "host2", event: "OPEN", detail: "AS 64513, hold time 9"),
            .init(capture: "a/host1-eth0.pcap", frame: 33, time: t + 13.8, from: "host1", event: "NOTIFICATION", detail: "Hold Timer Expired (code 4/0)"),
        ])]
        let md = MarkdownReport.render(verdict)
        #expect(md.contains("| 192.168.57.0/24 | host1-eth1.pcap | host1, host2 | exchange seen | host1 / none | 2 s / 8 s | 1500 / 9000 |"))
        #expect(md.contains("| host1 – host2 | closed | \\+0.000 s | host2 | OPEN | host1-eth0.pcap | 7 | AS 64513, hold time 9 |"))
        #expect(md.contains("|  |  | \\+13.800 s | host1 | NOTIFICATION | host1-eth0.pcap | 33 | Hold Timer Expired (code 4/0) |"))
        let html = HTMLReport.render(verdict)
        #expect(html.contains("<h2>BGP sessions</h2>") && html.contains("<td>Hold Timer Expired (code 4/0)</td>"))
    }
}
