// ReportWriter: file names, directory creation, atomic replacement, typed errors.

import CrosswireReport
import CrosswireVerdict
import Foundation
import Testing

@Suite struct ReportWriterTests {
    @Test func writesEveryFormatUnderItsName() throws {
        let dir = try ExternalTools.scratchDirectory("writer").appendingPathComponent("nested/reports")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent().deletingLastPathComponent()) }
        let urls = try ReportWriter.write(Fixtures.failing, formats: ReportFormat.allCases, to: dir)
        #expect(urls.map(\.lastPathComponent) == ["crosswire.md", "crosswire.html", "crosswire.json", "crosswire.junit.xml"])
        for url in urls { #expect(FileManager.default.fileExists(atPath: url.path)) }
        let json = try JSONDecoder().decode(Verdict.self, from: Data(contentsOf: dir.appendingPathComponent("crosswire.json")))
        #expect(json.plan == "vxlan-bgp-lab" && json.checks.count == CheckID.allCases.count)
        #expect(ReportFormat.defaults == [.md, .html])
    }

    @Test func replacesExistingReportsAtomicallyAndLeavesNoTemporaryFiles() throws {
        let dir = try ExternalTools.scratchDirectory("atomic")
        defer { try? FileManager.default.removeItem(at: dir) }
        for format in ReportFormat.allCases {
            try Data("old \(format) report".utf8).write(to: dir.appendingPathComponent(format.fileName))
        }
        let before = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("crosswire.md").path)
        let urls = try ReportWriter.write(Fixtures.allPass, formats: [.md, .html, .json, .junit, .md], to: dir)
        #expect(urls.count == 4, "a repeated format is written once")
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(entries == ["crosswire.html", "crosswire.json", "crosswire.junit.xml", "crosswire.md"], "left: \(entries)")
        #expect(try String(contentsOf: dir.appendingPathComponent("crosswire.md"), encoding: .utf8) == MarkdownReport.render(Fixtures.allPass))
        #expect(try String(contentsOf: dir.appendingPathComponent("crosswire.html"), encoding: .utf8) == HTMLReport.render(Fixtures.allPass))
        #expect(try String(contentsOf: dir.appendingPathComponent("crosswire.junit.xml"), encoding: .utf8) == JUnitReport.render(Fixtures.allPass))
        #expect(try Data(contentsOf: dir.appendingPathComponent("crosswire.json")) == JSONReport.render(Fixtures.allPass))
        // Renamed into place: a new inode, not the old file rewritten in place.
        let after = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("crosswire.md").path)
        #expect((before[.systemFileNumber] as? Int) != (after[.systemFileNumber] as? Int))
    }

    @Test func aFileInTheWayOfTheDirectoryIsATypedErrorNamingThePath() throws {
        let dir = try ExternalTools.scratchDirectory("blocked")
        defer { try? FileManager.default.removeItem(at: dir) }
        let blocker = dir.appendingPathComponent("reports")
        try Data("not a directory".utf8).write(to: blocker)
        #expect {
            try ReportWriter.write(Fixtures.allPass, formats: [.md], to: blocker)
        } throws: { error in
            guard case let .createDirectory(path, _) = error as? ReportWriteError else { return false }
            return path == blocker.path && "\(error)".contains(blocker.path)
        }
    }

    @Test(.enabled(if: getuid() != 0, "root can write into a read-only directory"))
    func anUnwritableDirectoryIsATypedErrorAndKeepsTheOldReport() throws {
        let dir = try ExternalTools.scratchDirectory("readonly")
        defer {
            chmod(dir.path, 0o755)
            try? FileManager.default.removeItem(at: dir)
        }
        try Data("old".utf8).write(to: dir.appendingPathComponent("crosswire.md"))
        chmod(dir.path, 0o555)
        #expect(throws: ReportWriteError.self) { try ReportWriter.write(Fixtures.allPass, formats: [.md], to: dir) }
        #expect(try String(contentsOf: dir.appendingPathComponent("crosswire.md"), encoding: .utf8) == "old")
    }

    @Test func aFailedRenameIsATypedErrorAndLeavesNoTemporaryFile() throws {
        let dir = try ExternalTools.scratchDirectory("rename")
        defer { try? FileManager.default.removeItem(at: dir) }
        // A non-empty directory where the report should go: rename(2) cannot replace it (even as root).
        let squatter = dir.appendingPathComponent("crosswire.md")
        try FileManager.default.createDirectory(at: squatter, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: squatter.appendingPathComponent("keep.txt"))
        #expect {
            try ReportWriter.write(Fixtures.allPass, formats: [.md], to: dir)
        } throws: { error in
            guard case let .rename(_, to, _) = error as? ReportWriteError else { return false }
            return to == squatter.path
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["crosswire.md"])
        #expect(try String(contentsOf: squatter.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
    }

    @Test func errorMessagesNameThePath() {
        let errors: [ReportWriteError] = [
            .createDirectory(path: "/x/reports", reason: "Permission denied"),
            .write(path: "/x/reports/.crosswire.md.1.tmp", reason: "No space left on device"),
            .rename(from: "/x/reports/.crosswire.md.1.tmp", to: "/x/reports/crosswire.md", reason: "Permission denied"),
            .render(format: .json, path: "/x/reports/crosswire.json", reason: "NaN"),
        ]
        for error in errors {
            #expect(error.description.contains("/x/reports"))
            #expect(error.localizedDescription == error.description)
        }
    }
}

@Suite struct TerminalAndJSONTests {
    @Test func oneLinePerCheckThenTheOverallLine() {
        let text = TerminalSummary.render(Fixtures.failing, color: false)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == CheckID.allCases.count + 2)
        #expect(lines[1].hasPrefix("FAIL  nat.source"))
        #expect(lines[CheckID.allCases.count] == "DROPS  captures/host2-docker0.pcap: 3 packets dropped while capturing, so its verdict may be incomplete")
        #expect(lines[1].hasSuffix("1 flow source-NATed: 192.168.10.2 -> 192.168.56.119"))
        #expect(lines.last == "crosswire: FAIL (vxlan-bgp-lab): 3 failed, 1 warning, 11 passed, 3 skipped")
        #expect(!text.contains("\u{1B}"))
        let coloured = TerminalSummary.render(Fixtures.failing, color: true)
        #expect(coloured.contains("\u{1B}[1;31mFAIL\u{1B}[0m"))
        #expect(coloured.contains("\u{1B}[32mPASS\u{1B}[0m"))
    }

    @Test func incompleteAndSkippedRuns() {
        let cut = TerminalSummary.render(Fixtures.incomplete, color: false)
        #expect(cut.contains("INCOMPLETE  cut.pcap: could not be read past frame 57"))
        #expect(cut.hasSuffix("; input incomplete\n"))
        let skipped = TerminalSummary.render(Fixtures.allSkipped, color: false)
        #expect(skipped.hasSuffix("crosswire: SKIP (empty): 0 failed, 0 warnings, 0 passed, 18 skipped\n"))
    }

    @Test func jsonIsTheVerdictsJSON() throws {
        let data = try JSONReport.render(Fixtures.failing)
        #expect(data.dropLast() == (try Fixtures.failing.jsonData()))
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["plan"] as? String == "vxlan-bgp-lab")
        #expect((object["checks"] as? [Any])?.count == CheckID.allCases.count)
        #expect(object["elapsed_seconds"] as? Double == 0.042)
        #expect(try JSONSerialization.jsonObject(with: JSONReport.render(Fixtures.allPass)) is [String: Any])
        #expect(!String(decoding: try JSONReport.render(Fixtures.allPass), as: UTF8.self).contains("elapsed_seconds"))
    }
}
