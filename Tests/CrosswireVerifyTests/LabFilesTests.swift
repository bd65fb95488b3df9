// The lab's output is complete: every scenario in pcaps/ has its plan, its
// captures (small, readable by libpcap) and an expected verdict naming every
// check of the contract.

import CrosswireCapture
import CrosswirePlan
import CrosswireVerdict
import Foundation
import Testing

struct LabFilesTests {
    @Test(arguments: Repo.scenarios)
    func scenarioIsComplete(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        #expect(expected.scenario == name)
        #expect(Set(expected.checks.keys) == Set(CheckID.allCases.map(\.rawValue)), "\(name): every check id has an expected status")
        #expect(expected.checks.values.allSatisfy { CheckStatus(rawValue: $0) != nil })
        // The plan parses and is what the lab meant: consistent.
        let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        #expect(plan.problems.isEmpty || expected.checks["plan.valid"] == "fail")
        #expect(!expected.captures.isEmpty)
        for capture in expected.captures {
            let path = dir.appendingPathComponent(capture).path
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            // Bulk transfers with offloads on (at least 512 KiB of TCP) make the largest captures.
            #expect(size > 24 && size < 2_000_000, "\(name)/\(capture): \(size) bytes")
            var reader = try CaptureFileReader(path: path)
            var frames = 0
            try reader.forEachFrame { _, _ in frames += 1; return true }
            #expect(frames > 0)
        }
        #expect(FileManager.default.fileExists(atPath: Repo.pcaps.appendingPathComponent("README.md").path))
    }
}
