// plan.valid: each contradiction reported once, at its key path and line.

import CrosswireDecoder
import CrosswirePlan
import Foundation
import Testing

/// The problems of `yaml` as `line: keyPath: message` strings.
func problems(_ yaml: String) throws -> [PlanProblem] { try loadPlan(yaml).problems }

@Test func specExampleIsConsistent() throws {
    let plan = try loadPlan(specExamplePlan)
    #expect(plan.problems == [])
    #expect(plan.lintLines() == ["OK: plan blog-static-routes is consistent (2 hosts, 1 router)"])
}
