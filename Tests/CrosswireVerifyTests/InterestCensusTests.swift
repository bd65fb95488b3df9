// The census (`CROSSWIRE_CENSUS=1`) counts which analysers the frames in a flow
// are new to, and changes nothing else.

import CrosswireCapture
import CrosswireDecoder
import CrosswirePlan
@testable import CrosswireVerify
import Foundation
import Testing

@Suite struct InterestCensusTests {
    @Test(arguments: ["41-ipip-offload-bulk", "10-vxlan-8472"])
    func theCensusCountsEveryFrameInAFlowAndLeavesTheVerdict(_ name: String) throws {
        let dir = Repo.pcaps.appendingPathComponent(name)
        let expected = try JSONDecoder().decode(ExpectedVerdict.self, from: Data(contentsOf: dir.appendingPathComponent("expected.json")))
        let plan = try PlanLoader().load(contentsOf: dir.appendingPathComponent("plan.yaml").path)
        let paths = expected.captures.map { dir.appendingPathComponent($0).path }
        var counted = VerificationSession(plan: plan)
        counted.census = InterestCensus()
        try counted.read(paths.map { CaptureSource(path: $0) }, threads: 1)
        var plain = VerificationSession(plan: plan)
        try plain.read(paths.map { CaptureSource(path: $0) }, threads: 1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(counted.verdict()) == encoder.encode(plain.verdict()))

        // Frames in a flow, counted apart: decoded one by one, each with a flow key.
        let buffer = DecodedPacketBuffer()
        var inFlows = 0, read = 0
        for path in paths {
            var reader = try CaptureFileReader(path: path)
            let linkType = reader.linkType
            try reader.forEachFrame { info, bytes in
                let p = buffer.decode(bytes, by: counted.decoder, linkType: linkType, originalLength: info.originalLength)
                if FlowKey.of(p, point: CapturePointID(index: 0)) != nil { inFlows += 1 }
                read += 1
                return true
            }
        }
        let census = try #require(counted.census)
        #expect(census.frames == inFlows && inFlows > 0 && inFlows < read)
        #expect(census.names.count == 11 && census.names.first == "TrafficAnalyser" && census.names.last == "ChecksumAnalyser")
        for i in census.names.indices {
            #expect(census.onlyTo[i] <= census.newTo[i] && census.newTo[i] <= census.frames, "\(census.names[i])")
        }
        #expect(census.newToNone <= census.frames - census.newTo.max()!)
        #expect(census.table.split(separator: "\n").count == 13)
    }
}
