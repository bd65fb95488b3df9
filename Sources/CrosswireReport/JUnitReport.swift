// crosswire.junit.xml: the checks as JUnit test cases, for CI test reporters
// (Jenkins, GitLab, GitHub Actions).

import CrosswireVerdict

/// Renders a verdict as JUnit XML (`crosswire.junit.xml`) in the shape the
/// common reporters read (Jenkins' `junit-10.xsd`).
///
/// One `<testsuite name="PLAN">` inside `<testsuites>`; one
/// `<testcase classname="crosswire.PLAN" name="CHECK-ID">` per check:
/// `fail` carries `<failure>` with the evidence in its body, `skip` carries
/// `<skipped>`, `warn` passes with the warning in `<system-out>`. A capture that
/// could not be read to its end adds one `<testcase name="capture: PATH">` with an
/// `<error>`, so the incomplete input is visible in CI too.
public enum JUnitReport {
    /// The whole document.
    public static func render(_ verdict: Verdict) -> String {
        let counts = StatusCounts(verdict.checks)
        let incomplete = verdict.captures.filter { $0.incomplete != nil }
        let tests = verdict.checks.count + incomplete.count
        let time = NumberFormat.seconds(max(verdict.elapsedSeconds ?? 0, 0))
        let plan = XMLEscape.attribute(verdict.plan)
        let classname = XMLEscape.attribute("crosswire." + verdict.plan)

        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"crosswire\" tests=\"\(tests)\" failures=\"\(counts.fail)\" errors=\"\(incomplete.count)\" "
            + "skipped=\"\(counts.skip)\" time=\"\(time)\">\n"
        xml += "  <testsuite name=\"\(plan)\" tests=\"\(tests)\" failures=\"\(counts.fail)\" errors=\"\(incomplete.count)\" "
            + "skipped=\"\(counts.skip)\" time=\"\(time)\">\n"
        xml += "    <properties>\n"
        xml += property("plan_path", verdict.planPath)
        xml += property("overall", verdict.overall.rawValue)
        for (i, capture) in verdict.captures.enumerated() { xml += property("capture.\(i + 1)", capture.path) }
        xml += "    </properties>\n"
        for check in verdict.checks {
            xml += "    <testcase classname=\"\(classname)\" name=\"\(XMLEscape.attribute(check.id.rawValue))\" time=\"0\""
            switch check.status {
            case .pass:
                let body = bodyLines(check)
                if body.count > 1 {
                    xml += ">\n      <system-out>\(XMLEscape.text(body.joined(separator: "\n")))</system-out>\n    </testcase>\n"
                } else {
                    xml += "/>\n"
                }
            case .fail:
                xml += ">\n      <failure message=\"\(XMLEscape.attribute(OneLine.clean(check.summary)))\" type=\"fail\">"
                xml += XMLEscape.text(bodyLines(check).joined(separator: "\n"))
                xml += "</failure>\n    </testcase>\n"
            case .skip:
                xml += ">\n      <skipped message=\"\(XMLEscape.attribute(OneLine.clean(check.summary)))\"/>\n    </testcase>\n"
            case .warn:
                xml += ">\n      <system-out>\(XMLEscape.text((["WARNING"] + bodyLines(check)).joined(separator: "\n")))</system-out>\n"
                xml += "    </testcase>\n"
            }
        }
        for capture in incomplete {
            guard let cut = capture.incomplete else { continue }
            let message = "\(capture.path): could not be read past frame \(cut.frame): \(cut.reason)"
            xml += "    <testcase classname=\"\(classname)\" name=\"\(XMLEscape.attribute("capture: " + capture.path))\" time=\"0\">\n"
            xml += "      <error message=\"\(XMLEscape.attribute(OneLine.clean(message)))\" type=\"incomplete\">"
            xml += XMLEscape.text("The checks judged only the \(capture.packets) frames read before frame \(cut.frame).")
            xml += "</error>\n    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func property(_ name: String, _ value: String) -> String {
        "      <property name=\"\(XMLEscape.attribute(name))\" value=\"\(XMLEscape.attribute(value))\"/>\n"
    }

    /// Summary, hint, expectation, observations, evidence lines and Wireshark filters, one per line.
    private static func bodyLines(_ check: CheckResult) -> [String] {
        var lines = [OneLine.clean(check.summary)]
        if let hint = check.hint { lines.append("hint: " + OneLine.clean(hint)) }
        if let expected = check.expected { lines.append("expected: " + OneLine.clean(expected)) }
        for line in check.observed { lines.append("observed: " + OneLine.clean(line)) }
        for item in check.evidence {
            lines.append("evidence: \(OneLine.clean(item.place)) frame \(item.frame): \(OneLine.clean(item.detail))")
        }
        if check.evidenceOmitted > 0 { lines.append("evidence: \(check.evidenceOmitted) more frames not listed") }
        for filter in EvidenceFilter.grouped(check.evidence) {
            lines.append("wireshark: \(OneLine.clean(filter.capture)): \(filter.displayFilter)")
        }
        return lines
    }
}
