// The hint line in every format, and the HTML evidence grouped by capture.

import CrosswireVerdict
import Foundation
import Testing

@testable import CrosswireReport

@Suite struct HintReportTests {
    static let hint = "Docker's MASQUERADE on host1: `iptables -t nat -D POSTROUTING -s 192.168.10.0/24 ! -o docker0 -j MASQUERADE`"

    /// The failing fixture with a hint on nat.source.
    var verdict: Verdict {
        var v = Fixtures.failing
        let i = v.checks.firstIndex { $0.id == .natSource }!
        v.checks[i].hint = Self.hint
        return v
    }

    @Test func jsonCarriesTheHintAndLeavesItOutWhenNil() throws {
        let json = String(decoding: try verdict.jsonData(), as: UTF8.self)
        #expect(json.contains("\"hint\" : \"Docker's MASQUERADE on host1"))
        #expect(json.components(separatedBy: "\"hint\"").count == 2, "only the check with a hint has the key")
        let decoded = try JSONDecoder().decode(Verdict.self, from: verdict.jsonData())
        #expect(decoded.result(.natSource)?.hint == Self.hint)
        #expect(decoded.result(.encapOverhead)?.hint == nil)
    }

    @Test func markdownHasOneHintLineWithTheCommandAsCode() {
        let md = MarkdownReport.render(verdict)
        let lines = md.split(separator: "\n").filter { $0.hasPrefix("**Hint:**") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("`iptables -t nat -D POSTROUTING -s 192.168.10.0/24 ! -o docker0 -j MASQUERADE`") == true)
    }

    /// Right under the summary: inside the open <details> of a fail, after the closed one of a warn.
    @Test func htmlShowsTheHintUnderTheSummaryWithCode() {
        var v = verdict
        let warn = v.checks.firstIndex { $0.id == .bgpSession }!
        v.checks[warn].hint = "a Cease is an administrative end"
        let html = HTMLReport.render(v)
        #expect(html.contains("1 flow source-NATed: 192.168.10.2 -&gt; 192.168.56.119</summary>"
            + "<div class=\"hint\"><span class=\"label\">Hint</span> Docker&#39;s MASQUERADE on host1: "
            + "<code>iptables -t nat -D POSTROUTING -s 192.168.10.0/24 ! -o docker0 -j MASQUERADE</code></div>"))
        #expect(html.contains("</details><div class=\"hint\"><span class=\"label\">Hint</span> a Cease is an administrative end</div>"))
    }

    @Test func junitAndTerminalCarryTheHint() {
        let xml = JUnitReport.render(verdict)
        #expect(xml.contains("hint: Docker&apos;s MASQUERADE on host1") || xml.contains("hint: Docker&#39;s MASQUERADE on host1")
            || xml.contains("hint: Docker's MASQUERADE on host1"))
        let text = TerminalSummary.render(verdict, color: false)
        #expect(text.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("hint: Docker's MASQUERADE") })
    }

    /// nat.source cites host1-eth0.pcap three times and host2-docker0.pcap once, interleaved:
    /// each path heads one row group, and no row repeats it.
    @Test func htmlEvidenceIsGroupedByCaptureWithEachPathOnce() throws {
        let html = HTMLReport.render(verdict)
        let start = try #require(html.range(of: "id=\"check-nat.source\""))
        let end = try #require(html.range(of: "id=\"check-nat.destination\""))
        let row = String(html[start.upperBound..<end.lowerBound])
        #expect(row.components(separatedBy: "captures/host1-eth0.pcap").count - 1 == 1)
        #expect(row.components(separatedBy: "captures/host2-docker0.pcap").count - 1 == 1)
        #expect(row.components(separatedBy: "<tr class=\"capture\">").count - 1 == 2)
        // host1's frames 12, 14, 19 under its heading, with its display filter.
        let group = try #require(row.range(of: "captures/host1-eth0.pcap</span> · <code>frame.number in {12 14 19}</code>"))
        let afterGroup = row[group.upperBound...]
        let nextGroup = afterGroup.range(of: "<tr class=\"capture\">")?.lowerBound ?? afterGroup.endIndex
        let frames = afterGroup[..<nextGroup]
        #expect(frames.contains(">12<") && frames.contains(">14<") && frames.contains(">19<"))
    }

    @Test func unpairedBacktickStaysProse() {
        #expect(HintText.segments("a `b` c `d").map(\.code) == [false, true, false, false])
        #expect(HintText.segments("a `b` c `d").map(\.text).joined() == "a b c `d")
    }
}
