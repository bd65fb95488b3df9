// `crosswire verify` and `crosswire lint` as a CI pipeline meets them: exit
// codes, one-line input errors, reports on disk, evidence captures.

import Foundation
import Testing

struct VerifyCommandTests {
    static let scenario = TestPaths.pcaps.appendingPathComponent("02-static-masquerade")
    static let passing = TestPaths.pcaps.appendingPathComponent("01-static-routes")

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func captures(_ dir: URL) -> [String] {
        ["host1-br0.pcap", "host1-eth0.pcap"].map { dir.appendingPathComponent($0).path }
    }

    @Test func failingScenarioExitsOneAndWritesEveryFormat() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try crosswire(
            ["verify", "--plan", Self.scenario.appendingPathComponent("plan.yaml").path] + captures(Self.scenario)
                + ["--format", "md", "--format", "html", "--format", "json", "--format", "junit", "--output", out.path,
                   "--evidence", out.appendingPathComponent("evidence.pcap").path])
        #expect(run.status == 1, "a failing check exits 1: \(run.stderr)")
        #expect(run.stdout.contains("FAIL  nat.source"))
        for name in ["crosswire.md", "crosswire.html", "crosswire.json", "crosswire.junit.xml", "evidence.pcap"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name) written")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("crosswire.json"))) as! [String: Any]
        let checks = json["checks"] as! [[String: Any]]
        #expect(checks.count == 18)
        let nat = checks.first { $0["id"] as? String == "nat.source" }!
        #expect(nat["status"] as? String == "fail")
        let evidence = nat["evidence"] as! [[String: Any]]
        #expect(!evidence.isEmpty)
        #expect(evidence.allSatisfy { ($0["frame"] as? Int ?? 0) > 0 && ($0["capture"] as? String ?? "").hasSuffix(".pcap") })
        // The evidence capture holds exactly the cited frames, readable by libpcap.
        let cited = Set(checks.flatMap { ($0["evidence"] as! [[String: Any]]).map { "\($0["capture"]!)#\($0["frame"]!)" } })
        let decoded = try crosswire(["decode", out.appendingPathComponent("evidence.pcap").path, "-T", "fields", "-e", "frame.number"])
        #expect(decoded.status == 0)
        #expect(decoded.stdout.split(separator: "\n").count == cited.count)
    }

    /// `-j 1` and `-j 2` write the same reports, and each twice in a row too: two
    /// processes hash with different seeds, so nothing may follow a dictionary's order.
    @Test func oneAndTwoThreadsWriteTheSameReports() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        var texts: [String] = []
        for (i, threads) in ["1", "2", "1", "2"].enumerated() {
            let dir = out.appendingPathComponent("run\(i)")
            let run = try crosswire(
                ["verify", "-j", threads, "--plan", Self.scenario.appendingPathComponent("plan.yaml").path] + captures(Self.scenario)
                    + ["--format", "json", "--format", "md", "--output", dir.path, "--quiet"])
            #expect(run.status == 1, "\(run.stderr)")
            let json = try String(contentsOf: dir.appendingPathComponent("crosswire.json"), encoding: .utf8)
            let md = try String(contentsOf: dir.appendingPathComponent("crosswire.md"), encoding: .utf8)
            texts.append(json + md)
        }
        #expect(Set(texts).count == 1, "the reports differ between runs")
        let zero = try crosswire(["verify", "-j", "0", "--plan", Self.passing.appendingPathComponent("plan.yaml").path] + captures(Self.passing))
        #expect(zero.status == 2)
        #expect(zero.stderr.contains("--threads"))
    }

    /// `verify -` reads standard input, like `tcpdump -r -` and `tshark -r -`: a pipe
    /// gives its packets once, so one thread reads it even with `-j 2`, and the
    /// verdict is the file's.
    @Test func standardInputIsVerifiedLikeTheFile() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let plan = Self.scenario.appendingPathComponent("plan.yaml").path
        let file = Self.scenario.appendingPathComponent("host1-eth0.pcap")
        let piped = try runProcess(
            TestPaths.binary,
            ["verify", "-j", "2", "--plan", plan, "-", "--format", "json", "--output", out.appendingPathComponent("piped").path, "--quiet"],
            input: try Data(contentsOf: file))
        let direct = try crosswire(
            ["verify", "-j", "1", "--plan", plan, file.path, "--format", "json", "--output", out.appendingPathComponent("direct").path, "--quiet"])
        #expect(direct.status != 2, "\(direct.stderr)")
        #expect(piped.status == direct.status, "\(piped.stderr)")
        func digest(_ run: String) throws -> [String] {
            let data = try Data(contentsOf: out.appendingPathComponent(run).appendingPathComponent("crosswire.json"))
            let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let packets = (json["metrics"] as! [String: Any])["packets"] as! Int
            let checks = (json["checks"] as! [[String: Any]]).map { check in
                let frames = (check["evidence"] as! [[String: Any]]).map { "\($0["frame"]!)" }.joined(separator: ",")
                return "\(check["id"]!) \(check["status"]!) [\(frames)]"
            }
            return ["packets \(packets)"] + checks
        }
        let a = try digest("piped"), b = try digest("direct")
        #expect(a == b)
        #expect(a.first != "packets 0")
    }

    @Test func passingScenarioExitsZeroWithDefaultFormats() throws {
        let out = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try crosswire(["verify", "--plan", Self.passing.appendingPathComponent("plan.yaml").path] + captures(Self.passing) + ["--output", out.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["crosswire.html", "crosswire.md"], "default formats are md and html")
    }

    @Test func badPlanIsOneLineWithFileAndLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("plan.yaml")
        let text = try String(contentsOf: Self.passing.appendingPathComponent("plan.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "nat: none", with: "nat: none\nnatt: none").write(to: plan, atomically: true, encoding: .utf8)
        let run = try crosswire(["verify", "--plan", plan.path] + captures(Self.passing) + ["--output", dir.appendingPathComponent("out").path])
        #expect(run.status == 2)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(run.stderr.contains(plan.path + ":"))
        #expect(run.stderr.contains("natt"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "nothing written for a bad plan")
        let lint = try crosswire(["lint", plan.path])
        #expect(lint.status == 2)
    }

    @Test func lintExitCodes() throws {
        let ok = try crosswire(["lint", Self.passing.appendingPathComponent("plan.yaml").path])
        #expect(ok.status == 0)
        #expect(ok.stdout.hasPrefix("OK: plan"))
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = dir.appendingPathComponent("overlap.yaml")
        let text = try String(contentsOf: Self.passing.appendingPathComponent("plan.yaml"), encoding: .utf8)
        try text.replacingOccurrences(of: "192.168.20.0/24", with: "192.168.10.128/25").write(to: plan, atomically: true, encoding: .utf8)
        let bad = try crosswire(["lint", plan.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("overlaps"))
    }

    @Test func unreadableCaptureIsOneLineAndExitTwo() throws {
        let run = try crosswire(["verify", "--plan", Self.passing.appendingPathComponent("plan.yaml").path, "/nonexistent.pcap", "--output", "/tmp/cw-never"])
        #expect(run.status == 2)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("/nonexistent.pcap"))
    }

    /// A capture cut in the middle of a record: the verdict and reports cover what was read, marked incomplete; exit 2.
    @Test func cutCaptureWritesIncompleteReportsAndExitsTwo() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = Self.passing.appendingPathComponent("host1-eth0.pcap")
        let data = try Data(contentsOf: source)
        let cut = dir.appendingPathComponent("cut.pcap")
        try data.prefix(data.count / 2).write(to: cut)
        let out = dir.appendingPathComponent("out")
        let run = try crosswire(["verify", "--plan", Self.passing.appendingPathComponent("plan.yaml").path, cut.path, "--format", "json", "--output", out.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains(cut.path))
        #expect(run.stderr.contains("frame "))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("crosswire.json"))) as! [String: Any]
        let capture = (json["captures"] as! [[String: Any]])[0]
        let incomplete = capture["incomplete"] as? [String: Any]
        #expect(incomplete != nil)
        #expect((incomplete?["frame"] as? Int ?? 0) == (capture["packets"] as? Int ?? -1) + 1)
    }
}
