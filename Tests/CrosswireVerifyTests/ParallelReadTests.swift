// Two threads read every capture each; their halves are combined only when both
// read the same frames. A file still being written can give the second reader
// more frames than the first: then the captures are read again on one thread.

import CrosswirePlan
@testable import CrosswireVerify
import Foundation
import Testing

@Suite struct ParallelReadTests {
    static let dir = Repo.pcaps.appendingPathComponent("02-static-masquerade")

    func session(reading names: [String]) throws -> VerificationSession {
        let plan = try PlanLoader().load(contentsOf: Self.dir.appendingPathComponent("plan.yaml").path)
        var s = VerificationSession(plan: plan)
        for name in names { try s.read(path: Self.dir.appendingPathComponent(name).path, name: "x.pcap") }
        return s
    }

    @Test func halvesThatReadTheSameFramesAgree() throws {
        let a = try session(reading: ["host1-eth0.pcap", "host1-br0.pcap"])
        let b = try session(reading: ["host1-eth0.pcap", "host1-br0.pcap"])
        #expect(VerificationSession.readTheSameFrames(a, b))
    }

    @Test func halvesThatReadDifferentFramesDoNot() throws {
        let full = try session(reading: ["host1-eth0.pcap", "host1-br0.pcap"])
        // A second half that saw a different file (as a file replaced or grown between the two opens).
        let other = try session(reading: ["host1-eth0.pcap", "host1-eth0.pcap"])
        let fewer = try session(reading: ["host1-eth0.pcap"])
        #expect(!VerificationSession.readTheSameFrames(full, other))
        #expect(!VerificationSession.readTheSameFrames(full, fewer))
    }
}
