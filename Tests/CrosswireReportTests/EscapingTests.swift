// A plan whose name and host names carry `<script>` and quotes: every report
// keeps them as text.

import CrosswireReport
import CrosswireVerdict
import Foundation
import Testing

@Suite struct EscapingTests {
    @Test func htmlHasNoMarkupFromData() {
        let html = HTMLReport.render(Fixtures.hostile)
        // The report's own print helper is the only script; the data's never appears as a tag.
        #expect(HTMLText.count("<script", in: html) == 1)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<svg onload"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;dq&quot; &#39;sq&#39; &amp;"))
        #expect(html.contains("&#39;&gt;&lt;svg onload=alert(2)&gt;"))
        // Attribute values cannot be closed early by a quote.
        #expect(!html.contains("\"dq\""))
        #expect(!html.contains("'sq'"))
    }

    @Test func markdownEscapesEveryPlanAndPacketString() {
        let markdown = MarkdownReport.render(Fixtures.hostile)
        // Outside code spans (literal by definition), every `<` from data is backslash-escaped.
        let chars = Array(Self.withoutCodeSpans(markdown))
        for i in chars.indices where chars[i] == "<" {
            #expect(i > 0 && chars[i - 1] == "\\", "unescaped < in \(String(chars[max(0, i - 30)..<min(chars.count, i + 30)]))")
        }
        #expect(markdown.contains("\\<script\\>alert(1)\\</script\\>"))
        for line in markdown.split(separator: "\n") where line.hasPrefix("|") {
            // Every `|` inside a cell is escaped: the row splits into as many cells as its header.
            var cells = 0, escaped = false
            for ch in line {
                if ch == "|", !escaped { cells += 1 }
                escaped = ch == "\\" && !escaped
            }
            #expect(cells >= 4, "row \(line)")
        }
        #expect(markdown.contains("- \\- \\<script"))
        #expect(markdown.contains("- 1\\. \\<script"))
    }

    /// The text with CommonMark code spans (a backtick run up to the next run of the same length) removed.
    static func withoutCodeSpans(_ text: String) -> String {
        let chars = Array(text)
        var out = "", i = 0
        func run(at j: Int) -> Int { var k = j; while k < chars.count, chars[k] == "`" { k += 1 }; return k - j }
        while i < chars.count {
            if chars[i] == "\\", i + 1 < chars.count { out.append(chars[i]); out.append(chars[i + 1]); i += 2; continue }
            guard chars[i] == "`" else { out.append(chars[i]); i += 1; continue }
            let n = run(at: i)
            var j = i + n, closed = false
            while j < chars.count {
                if chars[j] == "`" { let m = run(at: j); if m == n { closed = true; j += m; break }; j += m } else { j += 1 }
            }
            if closed { out += "CODE"; i = j } else { out += String(repeating: "`", count: n); i += n }
        }
        return out
    }

    @Test func junitEscapes() {
        let xml = JUnitReport.render(Fixtures.hostile)
        #expect(!xml.contains("<script"))
        #expect(xml.contains("<testsuite name=\"&lt;script&gt;alert(1)&lt;/script&gt; &quot;dq&quot; &apos;sq&apos; &amp;"))
    }

    @Test func terminalStripsControlCharacters() {
        var verdict = Fixtures.allPass
        verdict.checks[0].summary = "evil \u{1B}[2J\u{1B}]0;title\u{7} \r\noverwrite"
        let text = TerminalSummary.render(verdict, color: false)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\r"))
        #expect(text.split(separator: "\n").count == verdict.checks.count + 1)
    }
}
