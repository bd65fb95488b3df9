// `crosswire capture` end to end on live interfaces: a namespace lab
// (Tests/Fixtures/live-lab.sh: two "Docker hosts" with a bridge and
// containers each, joined by a veth NIC pair) carries bounded real traffic
// while the real binary captures inside host1's namespace.
//
// Needs root and `ip netns`; skipped (with a message) otherwise. Every
// namespace is named cwtest-<random>-*, created and deleted by the test (also
// when it fails); nothing is configured in the root namespace; only processes
// the test started are signalled, by PID.

import Foundation
import Testing

/// One lab: its namespaces, and a scratch directory.
final class LiveLab {
    static let script = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/live-lab.sh")
    static let plan = TestPaths.pcaps.appendingPathComponent("01-static-routes/plan.yaml").path
    static let ip = URL(fileURLWithPath: "/usr/sbin/ip").standardizedFileURL

    /// Root, and `ip netns` works; prints why not otherwise.
    static let available: Bool = {
        guard geteuid() == 0 else {
            print("LiveCaptureTests skipped: not root (live capture and network namespaces need root)")
            return false
        }
        guard FileManager.default.isExecutableFile(atPath: ip.path),
            let r = try? runProcess(ip, ["netns", "list"], timeout: 10), r.status == 0
        else {
            print("LiveCaptureTests skipped: `ip netns` is not available")
            return false
        }
        return true
    }()

    let prefix = "cwtest-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    let directory: URL

    /// Builds the lab (with Docker's MASQUERADE on host1 when `masquerade`).
    init(masquerade: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(prefix)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let r = try runProcess(Self.bash, [Self.script.path, "up", prefix] + (masquerade ? ["masquerade"] : []), timeout: 30)
        if r.status != 0 {
            down()
            throw LabError(message: "lab up failed: \(r.stderr)")
        }
    }

    deinit { down() }

    /// Deletes every namespace of this lab and the scratch directory.
    func down() {
        _ = try? runProcess(Self.bash, [Self.script.path, "down", prefix], timeout: 30)
        try? FileManager.default.removeItem(at: directory)
    }

    static let bash = URL(fileURLWithPath: "/bin/bash")

    /// Bounded traffic: ping and a TCP exchange from 192.168.10.2 to 192.168.20.2, ping .3 -> .2.
    func traffic() throws {
        let r = try runProcess(Self.bash, [Self.script.path, "traffic", prefix], timeout: 30)
        #expect(r.status == 0, "traffic failed: \(r.stderr)")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `crosswire ARGS` inside host1's namespace, in the background.
    func startCrosswire(_ arguments: [String]) throws -> BackgroundProcess {
        // ip netns exec execs the command: the PID is crosswire's own.
        try BackgroundProcess(Self.ip, ["netns", "exec", "\(prefix)-h1", TestPaths.binary.path] + arguments, directory: directory, name: "crosswire")
    }

    /// `crosswire ARGS` inside host1's namespace, to its end.
    func crosswireInHost1(_ arguments: [String], timeout: TimeInterval = 20) throws -> ProcessResult {
        try runProcess(Self.ip, ["netns", "exec", "\(prefix)-h1", TestPaths.binary.path] + arguments, timeout: timeout)
    }
}

struct LabError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The JSON verdict's check statuses by id.
private func checkStatuses(_ reportDirectory: String) throws -> (statuses: [String: String], json: [String: Any]) {
    let data = try Data(contentsOf: URL(fileURLWithPath: reportDirectory).appendingPathComponent("crosswire.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let checks = try #require(json["checks"] as? [[String: Any]])
    var statuses: [String: String] = [:]
    for c in checks { statuses[c["id"] as? String ?? "?"] = c["status"] as? String }
    return (statuses, json)
}

/// `crosswire decode -T fields` of a written capture: one row per frame.
private func decodeFields(_ path: String) throws -> [[String: String]] {
    let r = try crosswire(["decode", path, "-T", "fields", "-E", "header=y", "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "tcp.dstport"], timeout: 30)
    #expect(r.status == 0, "decode \(path): \(r.stderr)")
    return parseTSV(r.stdout)
}

@Suite(.serialized, .enabled(if: LiveLab.available, "needs root and ip netns"), .timeLimit(.minutes(1)))
struct LiveCaptureTests {
    @Test func bridgeCaptureWritesThePcapAndTheReports() throws {
        let lab = try LiveLab()
        let pcap = lab.path("cap.pcap"), reports = lab.path("reports")
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--duration", "6",
            "--write", pcap, "--format", "json", "--format", "md", "--output", reports,
        ])
        #expect(capture.waitForStderr(containing: "listening on br0", timeout: 10), "\(capture.stderr)")
        try lab.traffic()
        let result = capture.finish(timeout: 20)
        #expect(!result.timedOut && !result.crashed)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("captured br0: "))
        #expect(result.stdout.contains("crosswire: PASS"))

        let frames = try decodeFields(pcap)
        #expect(frames.contains { $0["ip.src"] == "192.168.10.2" && $0["ip.dst"] == "192.168.20.2" })
        #expect(frames.contains { $0["tcp.dstport"] == "5001" })

        let (statuses, json) = try checkStatuses(reports)
        #expect(statuses["nat.source"] == "pass")
        #expect(statuses["encap.mode"] == "pass")
        #expect(statuses["route.errors"] == "pass")
        let captures = try #require(json["captures"] as? [[String: Any]])
        #expect(captures.count == 1)
        #expect(captures.first?["path"] as? String == pcap)
        #expect(captures.first?["packets"] as? Int == frames.count)
        let drops = try #require(captures.first?["drops"] as? [String: Any])
        #expect(drops["dropped_by_kernel"] as? Int == 0)
        #expect(FileManager.default.fileExists(atPath: reports + "/crosswire.md"))
    }

    @Test func masqueradeSeenAtTheBridgeAndTheNICFailsNATSource() throws {
        let lab = try LiveLab(masquerade: true)
        let reports = lab.path("reports")
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--interface", "eth0", "--duration", "6",
            "--write", lab.path("cap.pcap"), "--format", "json", "--format", "md", "--output", reports,
        ])
        #expect(capture.waitForStderr(containing: "listening on eth0", timeout: 10), "\(capture.stderr)")
        try lab.traffic()
        let result = capture.finish(timeout: 20)
        #expect(result.status == 1, "stdout: \(result.stdout)\nstderr: \(result.stderr)")

        // One file per interface: cap-br0.pcap and cap-eth0.pcap.
        let bridge = try decodeFields(lab.path("cap-br0.pcap"))
        let nic = try decodeFields(lab.path("cap-eth0.pcap"))
        #expect(bridge.contains { $0["ip.src"] == "192.168.10.2" && $0["ip.dst"] == "192.168.20.2" })
        #expect(nic.contains { $0["ip.src"] == "192.168.56.119" && $0["ip.dst"] == "192.168.20.2" })
        #expect(!nic.contains { $0["ip.src"] == "192.168.10.2" })

        let (statuses, json) = try checkStatuses(reports)
        #expect(statuses["nat.source"] == "fail")
        #expect(statuses["encap.mode"] == "pass")
        let paths = (json["captures"] as? [[String: Any]])?.compactMap { $0["path"] as? String }
        #expect(paths == [lab.path("cap-br0.pcap"), lab.path("cap-eth0.pcap")])
        #expect(FileManager.default.fileExists(atPath: reports + "/crosswire.md"))
    }

    @Test func sigintBeforeTheDurationWritesCompleteReports() throws {
        let lab = try LiveLab()
        let pcap = lab.path("cap.pcap"), reports = lab.path("reports")
        let started = Date()
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--interface", "eth0", "--duration", "45",
            "--write", pcap, "--format", "json", "--format", "md", "--output", reports,
        ])
        #expect(capture.waitForStderr(containing: "listening on eth0", timeout: 10), "\(capture.stderr)")
        try lab.traffic()
        capture.send(SIGINT)
        let result = capture.finish(timeout: 15)
        #expect(Date().timeIntervalSince(started) < 40, "SIGINT did not stop the capture early")
        #expect(!result.timedOut && !result.crashed)
        // The verdict's exit code: no NAT, nothing fails.
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")

        // Both files readable to their end, holding what the verdict counted.
        let (statuses, json) = try checkStatuses(reports)
        #expect(statuses["nat.source"] == "pass")
        let captures = try #require(json["captures"] as? [[String: Any]])
        for (name, entry) in zip(["br0", "eth0"], captures) {
            let file = lab.path("cap-\(name).pcap")
            #expect(entry["path"] as? String == file)
            #expect(entry["incomplete"] == nil)
            let frames = try decodeFields(file)
            #expect(frames.count > 0)
            #expect(entry["packets"] as? Int == frames.count)
        }
        #expect(FileManager.default.fileExists(atPath: reports + "/crosswire.md"))
    }

    @Test func kernelDropsAreReportedAndTheVerdictSaysItMayBeIncomplete() throws {
        let lab = try LiveLab()
        let reports = lab.path("reports")
        // A small kernel buffer, and the capture held stopped while a bounded burst crosses br0.
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--buffer-size", "65536", "--duration", "30",
            "--format", "json", "--output", reports,
        ])
        #expect(capture.waitForStderr(containing: "listening on br0", timeout: 10), "\(capture.stderr)")
        capture.send(SIGSTOP)
        let burst = try runProcess(
            LiveLab.ip, ["netns", "exec", "\(lab.prefix)-c1", "timeout", "10", "ping", "-n", "-q", "-c", "1000", "-i", "0.002", "-s", "1000", "-W", "1", "192.168.20.2"],
            timeout: 15)
        #expect(burst.status == 0, "\(burst.stderr)")
        capture.send(SIGCONT)
        capture.send(SIGINT)
        let result = capture.finish(timeout: 15)
        #expect(result.status == 0, "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("packets dropped while capturing, so its verdict may be incomplete"), "\(result.stdout)")
        let (_, json) = try checkStatuses(reports)
        let drops = try #require((json["captures"] as? [[String: Any]])?.first?["drops"] as? [String: Any])
        #expect((drops["dropped_by_kernel"] as? Int ?? 0) > 0)
        #expect((drops["received"] as? Int ?? 0) >= 2000)
    }

    @Test func aSecondSignalEndsAtOnce() throws {
        let lab = try LiveLab()
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--duration", "45", "--format", "json",
            "--output", lab.path("reports"),
        ])
        #expect(capture.waitForStderr(containing: "listening on br0", timeout: 10), "\(capture.stderr)")
        // Held stopped, both signals are pending; on SIGCONT the second one delivered ends the process.
        capture.send(SIGSTOP)
        capture.send(SIGINT)
        capture.send(SIGTERM)
        capture.send(SIGCONT)
        let result = capture.finish(timeout: 15)
        #expect(result.status == 130 || result.status == 143, "status \(result.status): \(result.stderr)")
    }

    @Test func aBadFilterIsOneLineAndExitCode2() throws {
        let lab = try LiveLab()
        let r = try lab.crosswireInHost1(["capture", "--plan", LiveLab.plan, "--interface", "br0", "--filter", "tcp port banana", "--duration", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("br0: filter \"tcp port banana\": "), "\(r.stderr)")
    }

    @Test func aMissingInterfaceIsOneLineAndExitCode2() throws {
        let lab = try LiveLab()
        let r = try lab.crosswireInHost1(["capture", "--plan", LiveLab.plan, "--interface", "nosuch0", "--duration", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("nosuch0: no such interface"), "\(r.stderr)")
    }

    @Test func anInterfaceGoingDownIsExitCode2WithReports() throws {
        let lab = try LiveLab()
        let reports = lab.path("reports")
        let capture = try lab.startCrosswire([
            "capture", "--plan", LiveLab.plan, "--interface", "br0", "--duration", "30", "--format", "json",
            "--output", reports, "--write", lab.path("cap.pcap"),
        ])
        #expect(capture.waitForStderr(containing: "listening on br0", timeout: 10), "\(capture.stderr)")
        let down = try runProcess(LiveLab.ip, ["netns", "exec", "\(lab.prefix)-h1", "ip", "link", "set", "br0", "down"], timeout: 10)
        #expect(down.status == 0)
        let result = capture.finish(timeout: 15)
        #expect(result.status == 2, "\(result.stderr)")
        let errors = result.stderr.split(separator: "\n").filter { !$0.contains("listening on") }
        #expect(errors.count == 1 && errors.first?.contains("the interface went down") == true, "\(result.stderr)")
        let (_, json) = try checkStatuses(reports)
        let captures = try #require(json["captures"] as? [[String: Any]])
        #expect(captures.first?["incomplete"] != nil)
    }

    @Test func anUnknownUserIsExitCode2() throws {
        let lab = try LiveLab()
        let r = try lab.crosswireInHost1(["capture", "--plan", LiveLab.plan, "--interface", "br0", "--duration", "1", "--user", "cwtest-no-such-user"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--user cwtest-no-such-user: no such user"), "\(r.stderr)")
    }

    @Test func listInterfacesShowsTheBridge() throws {
        let lab = try LiveLab()
        let r = try lab.crosswireInHost1(["capture", "--list-interfaces"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("br0 ") && $0.contains("[up, running]") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("eth0 ") }, "\(r.stdout)")
        #expect(lines.contains { $0.hasPrefix("lo ") && $0.contains("loopback") }, "\(r.stdout)")
    }
}
