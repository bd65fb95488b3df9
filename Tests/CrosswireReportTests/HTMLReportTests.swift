// crosswire.html, opened in real headless Chromium: no console errors, a
// non-blank screenshot, every check in the DOM, nothing fetched from outside.

import CrosswireReport
import CrosswireVerdict
import Foundation
import Testing

@Suite struct HTMLReportTests {
    static let noChromium: Comment = "chromium not installed (apt-get install chromium)"

    /// Runs headless Chromium on `file` with a private profile; `extra` picks the output (`--dump-dom`, `--screenshot=…`).
    static func chromium(_ file: URL, _ extra: [String]) throws -> ExternalTools.Result {
        let profile = try ExternalTools.scratchDirectory("chromium-profile")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try ExternalTools.run(
            ExternalTools.chromium!,
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--user-data-dir=\(profile.path)", "--window-size=1280,2000", "--enable-logging=stderr", "--v=0"]
                + extra + [file.absoluteString],
            timeout: 90)
    }

    /// Console errors in Chromium's log: an uncaught exception or an error-level console message.
    static func consoleErrors(_ stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { $0.contains("Uncaught") || $0.contains("ERROR:CONSOLE") }
    }

    static func write(_ html: String, _ name: String) throws -> URL {
        let dir = try ExternalTools.scratchDirectory("html")
        let file = dir.appendingPathComponent(name)
        try Data(html.utf8).write(to: file)
        return file
    }

    @Test(.enabled(if: ExternalTools.chromium != nil, noChromium), arguments: Fixtures.all.map(\.name))
    func opensInChromiumWithoutConsoleErrors(fixture: String) throws {
        let verdict = Fixtures.all.first { $0.name == fixture }!.verdict
        let file = try Self.write(HTMLReport.render(verdict), "crosswire.html")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try Self.chromium(file, ["--dump-dom"])
        #expect(result.status == 0, "chromium failed: \(result.stderr.suffix(2000))")
        #expect(Self.consoleErrors(result.stderr).isEmpty, "console errors: \(Self.consoleErrors(result.stderr))")
        let dom = result.stdout
        #expect(dom.contains("</html>"))
        for check in verdict.checks {
            #expect(dom.contains("data-check=\"\(check.id)\""), "check \(check.id) missing from the DOM")
        }
        #expect(dom.contains("data-status=\"\(verdict.overall.rawValue)\""))
        // The data never became elements: only the report's own script exists.
        #expect(HTMLText.count("<script", in: dom) == 1)
        #expect(!dom.contains("<svg onload"))
    }

    /// The console check is not vacuous: a page with a script error is caught.
    @Test(.enabled(if: ExternalTools.chromium != nil, noChromium))
    func consoleErrorDetectionWorks() throws {
        let file = try Self.write("<!DOCTYPE html><html><body><p>x</p><script>notDefined();</script></body></html>", "bad.html")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let result = try Self.chromium(file, ["--dump-dom"])
        #expect(!Self.consoleErrors(result.stderr).isEmpty, "chromium's log did not show the uncaught error")
    }

    @Test(.enabled(if: ExternalTools.chromium != nil, noChromium))
    func screenshotIsNotBlank() throws {
        let dir = try ExternalTools.scratchDirectory("shot")
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("crosswire.html"), blank = dir.appendingPathComponent("blank.html")
        try Data(HTMLReport.render(Fixtures.failing).utf8).write(to: report)
        try Data("<!DOCTYPE html><html><body></body></html>".utf8).write(to: blank)
        let reportPNG = dir.appendingPathComponent("report.png"), blankPNG = dir.appendingPathComponent("blank.png")
        let shot = try Self.chromium(report, ["--screenshot=\(reportPNG.path)"])
        #expect(shot.status == 0, "chromium failed: \(shot.stderr.suffix(2000))")
        #expect(Self.consoleErrors(shot.stderr).isEmpty)
        _ = try Self.chromium(blank, ["--screenshot=\(blankPNG.path)"])
        let reportBytes = try Data(contentsOf: reportPNG), blankBytes = try Data(contentsOf: blankPNG)
        #expect(reportBytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        #expect(reportBytes.count > 8 * blankBytes.count, "screenshot \(reportBytes.count) B vs blank \(blankBytes.count) B")
        if let keep = ProcessInfo.processInfo.environment["CROSSWIRE_REPORT_SAMPLES"] {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            try? reportBytes.write(to: URL(fileURLWithPath: keep).appendingPathComponent("failing.png"))
        }
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func selfContained(fixture: String) {
        let html = HTMLReport.render(Fixtures.all.first { $0.name == fixture }!.verdict)
        #expect(!html.contains("http://") && !html.contains("https://"), "no outside URL at all")
        #expect(!html.contains("src=") && !html.contains("<link") && !html.contains("@import") && !html.contains("url("))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
    }

    @Test func bannerCountsAndEvidence() {
        let html = HTMLReport.render(Fixtures.failing)
        #expect(html.contains("<section class=\"banner fail\""))
        #expect(html.contains("<span class=\"pill fail\">3 fail</span>"))
        #expect(html.contains("<span class=\"pill skip\">3 skip</span>"))
        #expect(html.contains("<details open><summary>1 flow source-NATed"))
        #expect(html.contains("<code>frame.number in {12 14 19}</code>"))
        #expect(html.contains("aria-label=\"Bytes by encapsulation kind\""))
        #expect(html.contains("aria-label=\"Traffic per host pair\""))
        #expect(html.contains("aria-label=\"Timeline of control-plane events\""))
        #expect(html.contains("Packets dropped:"))
        let incomplete = HTMLReport.render(Fixtures.incomplete)
        #expect(incomplete.contains("<strong>Incomplete:</strong> <code>cut.pcap</code> could not be read past frame 57"))
    }
}
