// Nothing lost: a report write that is interrupted never leaves a half-written
// report over a good one. ReportWriter writes each report to a temporary file,
// fsyncs it and renames it into place; these tests interrupt the real binary
// while it writes (root is not stopped by file modes, so the writes are cut by
// a file-size limit, RLIMIT_FSIZE, which holds for root too):
//
// * the limit makes the third report's write fail (EFBIG): exit 2 with one line
//   naming the file, the reports written before it are whole and new, the old
//   third report is untouched, no temporary file is left;
// * the same limit with SIGXFSZ at its default kills the process in the middle
//   of that write: the same, except that the dead process's hidden temporary
//   file may stay (never under a report's name);
// * SIGKILL at times spread over whole runs: every report is either the old one
//   or the complete new one.

import Foundation
import Testing

struct ReportInterruptionTests {
    static let scenario = TestPaths.pcaps.appendingPathComponent("08-bgp")
    static let formats = ["md", "json", "html"]
    static let names = ["crosswire.md", "crosswire.json", "crosswire.html"]

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cw-interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func verifyArguments(output: URL) -> [String] {
        ["verify", "--plan", scenario.appendingPathComponent("plan.yaml").path, scenario.appendingPathComponent("host1-eth0.pcap").path]
            + formats.flatMap { ["--format", $0] } + ["--output", output.path, "-q"]
    }

    /// Good reports from another scenario (the "old" ones), and the complete new ones, by file name.
    static func referenceReports(in dir: URL) throws -> (old: [String: Data], new: [String: Data]) {
        let oldDir = dir.appendingPathComponent("old"), newDir = dir.appendingPathComponent("new")
        let plan = TestPaths.pcaps.appendingPathComponent("01-static-routes/plan.yaml").path
        let capture = TestPaths.pcaps.appendingPathComponent("01-static-routes/host1-eth0.pcap").path
        _ = try crosswire(["verify", "--plan", plan, capture] + formats.flatMap { ["--format", $0] } + ["--output", oldDir.path, "-q"])
        _ = try crosswire(verifyArguments(output: newDir))
        var old: [String: Data] = [:], new: [String: Data] = [:]
        for name in names {
            old[name] = try Data(contentsOf: oldDir.appendingPathComponent(name))
            new[name] = try Data(contentsOf: newDir.appendingPathComponent(name))
            try #require(old[name] != new[name], "\(name): old and new reports must differ")
        }
        return (old, new)
    }

    /// A report directory holding the old reports.
    static func seeded(_ dir: URL, with old: [String: Data]) throws -> URL {
        let out = dir.appendingPathComponent("reports-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for (name, data) in old { try data.write(to: out.appendingPathComponent(name)) }
        return out
    }

    /// Runs verify under a file-size limit (RLIMIT_FSIZE, KiB) that the third report exceeds, with
    /// SIGXFSZ ignored (the write fails with EFBIG) or at its default (the process dies in the write).
    /// python3 sets both (and unblocks the signal, which the test runner's threads may block) and
    /// execs the binary: a shell cannot reset a signal its parent ignored.
    static func runLimited(output: URL, limitKiB: Int, ignoreSignal: Bool) throws -> ProcessResult {
        let script = """
            import os, resource, signal, sys
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN if sys.argv[1] == "ignore" else signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGXFSZ])
            resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]) * 1024,) * 2)
            os.execv(sys.argv[3], sys.argv[3:])
            """
        return try runProcess(URL(fileURLWithPath: "/usr/bin/env"),
                              ["python3", "-c", script, ignoreSignal ? "ignore" : "default", "\(limitKiB)", TestPaths.binary.path]
                                  + verifyArguments(output: output), timeout: 60)
    }

    /// The limit: room for the first two reports, not for the HTML one.
    static func limitKiB(_ new: [String: Data]) throws -> Int {
        let small = max(new["crosswire.md"]!.count, new["crosswire.json"]!.count)
        let limit = small / 1024 + 1
        try #require(limit * 1024 < new["crosswire.html"]!.count, "the HTML report is too small for the test")
        return limit
    }

    @Test func aWriteThatFailsMidwayKeepsTheOldReportAndLeavesNoTemporaryFile() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (old, new) = try Self.referenceReports(in: dir)
        let out = try Self.seeded(dir, with: old)
        let run = try Self.runLimited(output: out, limitKiB: try Self.limitKiB(new), ignoreSignal: true)
        #expect(run.status == 2 && !run.crashed, "exit \(run.status): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains(out.path) && run.stderr.contains("crosswire.html"), "\(run.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.md")) == new["crosswire.md"])
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.json")) == new["crosswire.json"])
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.html")) == old["crosswire.html"], "the old HTML report was damaged")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == Self.names.sorted())
    }

    @Test func aProcessKilledWhileWritingKeepsTheOldReport() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (old, new) = try Self.referenceReports(in: dir)
        let out = try Self.seeded(dir, with: old)
        let run = try Self.runLimited(output: out, limitKiB: try Self.limitKiB(new), ignoreSignal: false)
        #expect(run.crashed, "expected death by SIGXFSZ: exit \(run.status): \(run.stderr)")
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.md")) == new["crosswire.md"])
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.json")) == new["crosswire.json"])
        #expect(try Data(contentsOf: out.appendingPathComponent("crosswire.html")) == old["crosswire.html"], "the old HTML report was damaged")
        let others = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !Self.names.contains($0) }
        #expect(others.allSatisfy { $0.hasPrefix(".crosswire.html.") && $0.hasSuffix(".tmp") }, "left: \(others)")
    }

    @Test func sigkillAtAnyMomentLeavesOldOrWholeReports() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (old, new) = try Self.referenceReports(in: dir)
        // How long one run takes, to spread the kills over it.
        let start = Date()
        _ = try crosswire(Self.verifyArguments(output: dir.appendingPathComponent("timing")))
        let duration = Date().timeIntervalSince(start)
        let trials = 12
        for trial in 0..<trials {
            let out = try Self.seeded(dir, with: old)
            let process = Process()
            process.executableURL = TestPaths.binary
            process.arguments = Self.verifyArguments(output: out)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            Thread.sleep(forTimeInterval: duration * Double(trial) / Double(trials - 2))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            for name in Self.names {
                let data = try Data(contentsOf: out.appendingPathComponent(name))
                #expect(data == old[name] || data == new[name], "trial \(trial): \(name) is neither the old nor the whole new report (\(data.count) bytes)")
            }
        }
    }
}
