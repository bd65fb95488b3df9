// crosswire.junit.xml, read by a real JUnit parser (Python's junitparser, as CI
// reporters read it) and checked for well-formedness by xmllint.

import CrosswireReport
import CrosswireVerdict
import Foundation
import Testing

@Suite struct JUnitReportTests {
    /// Loads the file with junitparser and prints what it read, as JSON.
    static let script = """
        import json, sys
        from junitparser import JUnitXml, TestSuite
        xml = JUnitXml.fromfile(sys.argv[1])
        suites = [xml] if isinstance(xml, TestSuite) else list(xml)
        out = {"root_tests": xml.tests, "suites": []}
        for suite in suites:
            cases = []
            for case in suite:
                cases.append({"classname": case.classname, "name": case.name,
                              "results": [type(r).__name__ for r in case.result],
                              "messages": [r.message for r in case.result],
                              "text": [r.text or "" for r in case.result],
                              "system_out": case.system_out or ""})
            out["suites"].append({"name": suite.name, "tests": suite.tests, "failures": suite.failures,
                                  "skipped": suite.skipped, "errors": suite.errors, "time": suite.time, "cases": cases})
        print(json.dumps(out))
        """

    struct Parsed: Decodable {
        var root_tests: Int
        var suites: [Suite]
        struct Suite: Decodable {
            var name: String
            var tests: Int, failures: Int, skipped: Int, errors: Int
            var time: Double
            var cases: [Case]
        }
        struct Case: Decodable {
            var classname: String?
            var name: String
            var results: [String]
            var messages: [String?]
            var text: [String]
            var system_out: String
        }
    }

    static func parse(_ verdict: Verdict) throws -> Parsed {
        let dir = try ExternalTools.scratchDirectory("junit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("crosswire.junit.xml")
        try Data(JUnitReport.render(verdict).utf8).write(to: file)
        let result = try ExternalTools.run(ExternalTools.junitparser!, ["-c", script, file.path], timeout: 60)
        #expect(result.status == 0, "junitparser failed: \(result.stderr)")
        return try JSONDecoder().decode(Parsed.self, from: Data(result.stdout.utf8))
    }

    @Test(
        .enabled(if: ExternalTools.junitparser != nil, "python3 with junitparser not installed (pip install junitparser)"),
        arguments: Fixtures.all.map(\.name))
    func junitparserReadsCounts(fixture: String) throws {
        let verdict = Fixtures.all.first { $0.name == fixture }!.verdict
        let parsed = try Self.parse(verdict)
        let incomplete = verdict.captures.filter { $0.incomplete != nil }.count
        #expect(parsed.suites.count == 1)
        let suite = try #require(parsed.suites.first)
        #expect(suite.name == verdict.plan)
        #expect(suite.tests == verdict.checks.count + incomplete)
        #expect(parsed.root_tests == suite.tests)
        #expect(suite.failures == verdict.checks.filter { $0.status == .fail }.count)
        #expect(suite.skipped == verdict.checks.filter { $0.status == .skip }.count)
        #expect(suite.errors == incomplete)
        // The attributes agree with the test cases themselves.
        #expect(suite.cases.count == suite.tests)
        #expect(suite.cases.filter { $0.results == ["Failure"] }.count == suite.failures)
        #expect(suite.cases.filter { $0.results == ["Skipped"] }.count == suite.skipped)
        #expect(suite.cases.filter { $0.results == ["Error"] }.count == suite.errors)
        for (case_, check) in zip(suite.cases, verdict.checks) {
            #expect(case_.name == check.id.rawValue)
            #expect(case_.classname == "crosswire." + verdict.plan)
            switch check.status {
            case .fail:
                #expect(case_.messages == [check.summary.replacingOccurrences(of: "\n", with: " ")])
                for item in check.evidence { #expect(case_.text.first?.contains("frame \(item.frame)") == true) }
            case .skip: #expect(case_.messages == [check.summary])
            case .warn: #expect(case_.results.isEmpty && case_.system_out.hasPrefix("WARNING"))
            case .pass: #expect(case_.results.isEmpty)
            }
        }
    }

    @Test(.enabled(if: ExternalTools.junitparser != nil, "python3 with junitparser not installed (pip install junitparser)"))
    func failureBodyCarriesEvidenceAndFilter() throws {
        let parsed = try Self.parse(Fixtures.failing)
        let nat = try #require(parsed.suites.first?.cases.first { $0.name == "nat.source" })
        let body = try #require(nat.text.first)
        #expect(body.contains("evidence: captures/host1-eth0.pcap frame 12: TCP SYN"))
        #expect(body.contains("wireshark: captures/host1-eth0.pcap: frame.number in {12 14 19}"))
        #expect(body.contains("evidence: 2 more frames not listed"))
        #expect(parsed.suites.first?.time == 0.042)
    }

    @Test(
        .enabled(if: ExternalTools.xmllint != nil, "xmllint not installed (apt-get install libxml2-utils)"),
        arguments: Fixtures.all.map(\.name))
    func wellFormed(fixture: String) throws {
        let dir = try ExternalTools.scratchDirectory("xmllint")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("crosswire.junit.xml")
        try Data(JUnitReport.render(Fixtures.all.first { $0.name == fixture }!.verdict).utf8).write(to: file)
        let result = try ExternalTools.run(ExternalTools.xmllint!, ["--noout", file.path], timeout: 30)
        #expect(result.status == 0, "xmllint: \(result.stderr)")
    }

    @Test func controlCharactersCannotBreakTheXML() {
        var verdict = Fixtures.allPass
        verdict.plan = "bad\u{1}\u{8}\u{1B}[31m\u{FFFE}plan"
        verdict.checks[0].status = .fail
        verdict.checks[0].summary = "line\nbreak\u{0}"
        let xml = JUnitReport.render(verdict)
        #expect(!xml.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(!xml.contains("\u{FFFE}"))
        #expect(xml.contains("message=\"line break?\""))
    }
}
