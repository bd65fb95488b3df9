// `crosswire infer` and `crosswire diff` as a CI job meets them: exit codes, one-line input
// errors naming the file (and the line or frame), the JSON report's shape, and an inferred
// plan that `verify` accepts.

import Foundation
import Testing

struct InferDiffCommandTests {
    static let healthy = TestPaths.pcaps.appendingPathComponent("01-static-routes")
    static let broken = TestPaths.pcaps.appendingPathComponent("02-static-masquerade")

    func captures(_ dir: URL) -> [String] {
        ["host1-br0.pcap", "host1-eth0.pcap"].map { dir.appendingPathComponent($0).path }
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-infer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Exit 2 and one line on stderr that names `path` and says `words`.
    func expectInputError(_ run: ProcessResult, naming path: String, _ words: String) {
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("crosswire: \(path)"), "\(run.stderr)")
        #expect(run.stderr.contains(words), "\(run.stderr)")
    }

    @Test func aBadPlanIsOneLineWithItsFileAndLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: Self.healthy.appendingPathComponent("plan.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "nat: none", with: "nat: none\nnatt: none").write(to: plan, atomically: true, encoding: .utf8)
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("nat: none") }! + 2
        expectInputError(try crosswire(["diff", plan.path] + captures(Self.healthy)), naming: "\(plan.path):\(line):", "natt")
    }

    @Test(arguments: ["infer", "diff"])
    func anUnreadableOrForeignCaptureIsOneLineAndExitTwo(_ command: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("notes.pcap")
        try Data("not a capture\n".utf8).write(to: text)
        let plan = command == "diff" ? [Self.healthy.appendingPathComponent("plan.yaml").path] : []
        for (path, words) in [(dir.appendingPathComponent("missing.pcap").path, "No such file"), (text.path, "format")] {
            let run = try crosswire([command] + plan + [Self.healthy.appendingPathComponent("host1-br0.pcap").path, path])
            expectInputError(run, naming: path, words)
            #expect(run.stdout.isEmpty, "nothing is written for a capture that cannot be opened")
        }
    }

    /// A capture cut in the middle of a record: the output covers the frames before the cut, and
    /// the one line names the file and the frame, as `verify` does.
    @Test(arguments: ["infer", "diff"])
    func aCutCaptureIsReadUpToTheCutAndExitsTwo(_ command: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Data(contentsOf: Self.healthy.appendingPathComponent("host1-eth0.pcap"))
        let cut = dir.appendingPathComponent("cut.pcap")
        try data.prefix(data.count / 2).write(to: cut)
        let plan = command == "diff" ? [Self.healthy.appendingPathComponent("plan.yaml").path] : []
        let run = try crosswire([command] + plan + [cut.path])
        expectInputError(run, naming: cut.path, ": frame ")
        #expect(run.stdout.contains(command == "infer" ? "hosts:" : "# crosswire diff"), "the output of the frames before the cut")
    }

    @Test func diffExitsOneWhenSomethingDiffersAndZeroWhenNothingDoes() throws {
        let same = try crosswire(["diff", Self.healthy.appendingPathComponent("plan.yaml").path] + captures(Self.healthy))
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.contains("the captures match plan"))
        let differs = try crosswire(["diff", Self.broken.appendingPathComponent("plan.yaml").path] + captures(Self.broken))
        #expect(differs.status == 1, "\(differs.stderr)")
        #expect(differs.stdout.contains("| different | `nat` | none | masquerade |"))
    }

    @Test func diffJSONHasItsShape() throws {
        let run = try crosswire(["diff", "--format", "json", Self.broken.appendingPathComponent("plan.yaml").path] + captures(Self.broken))
        #expect(run.status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(Set(json.keys) == ["plan", "captures", "differs", "headline", "counts", "keys"])
        #expect(json["plan"] as? String == "blog-static-routes")
        #expect((json["captures"] as? [String])?.count == 2)
        #expect(json["differs"] as? Bool == true)
        let counts = try #require(json["counts"] as? [String: Int])
        #expect(Set(counts.keys) == ["present", "missing", "extra", "different"])
        let keys = try #require(json["keys"] as? [[String: Any]])
        #expect(keys.count == counts.values.reduce(0, +))
        for key in keys {
            #expect(Set(key.keys) == ["key", "status", "plan", "captures", "evidence"])
            #expect(["present", "missing", "extra", "different"].contains(key["status"] as? String ?? ""))
        }
        let nat = try #require(keys.first { $0["key"] as? String == "nat" })
        #expect(nat["status"] as? String == "different" && nat["plan"] as? String == "none" && nat["captures"] as? String == "masquerade")
    }

    /// The locking workflow: `infer --output`, then `lint` and `verify` with that plan pass.
    @Test func inferOutputIsAPlanVerifyAccepts() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.yaml")
        let infer = try crosswire(["infer"] + captures(Self.healthy) + ["--output", plan.path, "--name", "locked"])
        #expect(infer.status == 0, "\(infer.stderr)")
        #expect(infer.stdout.isEmpty, "the plan goes to the file")
        let text = try String(contentsOf: plan, encoding: .utf8)
        #expect(text.contains("name: \"locked\""))
        #expect(try crosswire(["lint", plan.path]).status == 0)
        let verify = try crosswire(["verify", "--plan", plan.path] + captures(Self.healthy) + ["--output", dir.appendingPathComponent("out").path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let diff = try crosswire(["diff", plan.path] + captures(Self.healthy))
        #expect(diff.status == 0, "\(diff.stdout)")
    }
}
