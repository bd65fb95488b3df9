// Two threads: the calling thread reads and decodes, the analysers run on the
// other, fed in batches. Batches of three frames change hands hundreds of times
// a scenario: the verdict must still be the one-thread verdict, to the byte.

import CrosswirePlan
@testable import CrosswireVerify
import Foundation
import Testing

@Suite struct ParallelReadTests {
    @Test(arguments: Repo.scenarios)
    func smallBatchesGiveTheOneThreadVerdict(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        let sources = expected.captures.map { CaptureSource(path: dir.appendingPathComponent($0).path) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var one = VerificationSession(plan: plan)
        try one.read(sources, threads: 1)
        var two = VerificationSession(plan: plan)
        two.batchFrames = 3
        try two.read(sources, threads: 2)
        #expect(two.worker == nil)
        #expect(try encoder.encode(one.verdict()) == encoder.encode(two.verdict()), "\(name)")
    }
}
