// A plan whose name and host names carry `<script>` and quotes: every report
// keeps them as text.

@testable import CrosswireReport
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

/// The escapes' plain-ASCII shortcuts give what the scalar-by-scalar escapes give (written
/// out again here as the reference), on random lines of the characters that matter.
@Suite struct EscapingShortcutTests {
    static let alphabet: [String] = [
        "a", "Z", "0", "1", "9", " ", ".", ")", "-", "+", "=", "\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&",
        "#", "!", "$", "\"", "'", "/", ":", "\t", "\n", "\r", "\u{0}", "\u{7F}", "\u{85}", "é", "\u{2028}", "\u{FFFF}", "🙂",
    ]

    static func lines() -> [String] {
        var rng = SystemRandomNumberGenerator()
        var lines = ["", "1.", "12) x", "123", "1234567890. x", "- x", "=", "plain words 10.0.0.1/24", "a.b"]
        for n in 0..<3000 {
            // Half of them plain ASCII, where the shortcuts apply.
            let pool = n % 2 == 0 ? alphabet.filter { $0.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } } : alphabet
            lines.append((0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng)! }.joined())
        }
        return lines
    }

    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { s -> Unicode.Scalar in
            switch s.value {
            case 0x0A, 0x0D, 0x09, 0x0B, 0x0C, 0x85, 0x2028, 0x2029: " "
            case 0x00..<0x20, 0x7F, 0x80..<0xA0: "?"
            default: s
            }
        }))
    }

    static func html(_ text: String) -> String {
        text.unicodeScalars.map { s -> String in
            switch s {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            case "\u{0}": "\u{FFFD}"
            default: String(s)
            }
        }.joined()
    }

    static func xml(_ text: String, attribute: Bool) -> String {
        text.unicodeScalars.map { s -> String in
            switch s.value {
            case 0x26: "&amp;"
            case 0x3C: "&lt;"
            case 0x3E: "&gt;"
            case 0x22: "&quot;"
            case 0x27: "&apos;"
            case 0x0A: attribute ? "&#10;" : "\n"
            case 0x0D: "&#13;"
            case 0x09: attribute ? "&#9;" : "\t"
            case 0x00..<0x20, 0xFFFE, 0xFFFF: "\u{FFFD}"
            default: String(s)
            }
        }.joined()
    }

    static func markdown(_ text: String) -> String {
        let line = Array(oneLine(text))
        let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&", "#", "!", "$"]
        var marker: Int? = nil
        if let end = line.firstIndex(where: { !($0.isASCII && $0.isNumber) }), (1...9).contains(end),
           line[end] == "." || line[end] == ")", end + 1 == line.count || line[end + 1] == " " {
            marker = end
        }
        var out = ""
        for (i, ch) in line.enumerated() {
            if special.contains(ch) || i == marker || (i == 0 && (ch == "-" || ch == "+" || ch == "=")) { out.append("\\") }
            out.append(ch)
        }
        return out.isEmpty ? "—" : out
    }

    @Test func shortcutsGiveTheFullEscapes() {
        for line in Self.lines() {
            #expect(OneLine.clean(line) == Self.oneLine(line), "\(line.debugDescription)")
            #expect(HTMLEscape.text(line) == Self.html(line), "\(line.debugDescription)")
            #expect(MarkdownEscape.text(line) == Self.markdown(line), "\(line.debugDescription)")
            #expect(XMLEscape.text(line) == Self.xml(line, attribute: false), "\(line.debugDescription)")
            #expect(XMLEscape.attribute(line) == Self.xml(line, attribute: true), "\(line.debugDescription)")
        }
    }
}
