// reports/ holds what Crosswire makes from pcaps/ today: a fresh run of every
// scenario gives the same bytes (regenerate with `make reports`).

import CrosswirePlan
import CrosswireReport
import CrosswireVerdict
import CrosswireVerify
import Foundation
import Testing

struct ReportsUpToDateTests {
    @Test(arguments: Repo.scenarios)
    func reportsAreCurrent(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        var plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        // Paths as `make reports` gives them: relative to the repository root.
        plan.source.file = "pcaps/\(name)/plan.yaml"
        var session = VerificationSession(plan: plan)
        try session.read(
            expected.captures.map { CaptureSource(path: dir.appendingPathComponent($0).path, name: "pcaps/\(name)/\($0)") }, threads: 1)
        let verdict = session.verdict()
        let reports = Repo.root.appendingPathComponent("reports/\(name)")
        for format in ReportFormat.allCases {
            let committed = try? Data(contentsOf: reports.appendingPathComponent(format.fileName))
            let fresh = try ReportWriter.render(verdict, format: format)
            #expect(committed == fresh, "reports/\(name)/\(format.fileName) is out of date: run `make reports`")
        }
    }
}
