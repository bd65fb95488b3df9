// A clone must pass its tests on a bare Debian machine: every command the
// tests, scripts and lab run comes from scripts/install-deps.sh's table (or
// from every Debian). scripts/audit-commands.py finds them; these tests run it
// on the repository and on files that add a command the table lacks.

import Foundation
import Testing

struct InstallAuditTests {
    static let audit = TestPaths.packageRoot.appendingPathComponent("scripts/audit-commands.py")
    static let python3 = URL(fileURLWithPath: "/usr/bin/env")

    static func runAudit(_ extra: [String] = []) throws -> ProcessResult {
        try runProcess(python3, ["python3", audit.path] + extra, timeout: 60)
    }

    @Test func everyCommandTheTestsRunIsInstalled() throws {
        let run = try Self.runAudit()
        #expect(run.status == 0, "commands nothing installs:\n\(run.stdout)\(run.stderr)")
    }

    /// A test, script or lab file that starts using a new command fails the audit, naming file and line.
    @Test func aNewCommandFailsTheAudit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "lab.sh": "#!/usr/bin/env bash\nnsx() { ip netns exec \"cwlab-$1\" \"${@:2}\"; }\nnsx h1 timeout 5 mtr -r 10.0.0.1 | tee out\n",
            "NewTests.swift": "let r = try runProcess(ip, [\"netns\", \"exec\", ns, \"timeout\", \"5\", \"iperf3\", \"-c\", \"x\"])\n",
            "helper.py": "import subprocess\nimport scapy\nsubprocess.run([\"socat\", \"-\", \"TCP:x:1\"], check=True)\n",
        ]
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let run = try Self.runAudit(files.keys.sorted().map { dir.appendingPathComponent($0).path })
        #expect(run.status == 1)
        for expected in ["lab.sh:3: runs `mtr`", "NewTests.swift:1: runs `iperf3`", "helper.py:3: runs `socat`",
                         "helper.py:2: imports Python module `scapy`"] {
            #expect(run.stdout.contains(expected), "\(expected) not reported:\n\(run.stdout)")
        }
        // Commands the table provides stay quiet: ip, timeout, tee.
        #expect(!run.stdout.contains("`ip`") && !run.stdout.contains("`tee`") && !run.stdout.contains("`timeout`"))
    }

    /// Each row of the table names a package that really provides its command: after
    /// `install-deps.sh test` (make test runs it first) every command is on this machine.
    @Test func everyRowOfTheTableIsProvided() throws {
        let script = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("scripts/install-deps.sh"), encoding: .utf8)
        guard let start = script.range(of: "<<'TABLE' || true\n"), let end = script.range(of: "\nTABLE\n") else {
            Issue.record("no TABLE here-document in scripts/install-deps.sh")
            return
        }
        var missing: [String] = []
        var rows = 0
        for line in script[start.upperBound..<end.lowerBound].split(separator: "\n") {
            let cols = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let what = cols.first, !what.hasPrefix("#"), cols.count >= 3 else { continue }
            rows += 1
            let check: [String]
            if what.hasPrefix("lib:") {
                check = ["dpkg-query", "-W", "-f=${Status}", cols[1]]
            } else if what.hasPrefix("python:") {
                check = ["python3", "-c", "import \(what.dropFirst("python:".count))"]
            } else {
                check = ["sh", "-c", "command -v \(what) || test -x /usr/sbin/\(what) || test -x /sbin/\(what)"]
            }
            let run = try runProcess(Self.python3, check, timeout: 30)
            if run.status != 0 || (what.hasPrefix("lib:") && !run.stdout.contains("install ok installed")) {
                missing.append("\(what) (package \(cols[1]))")
            }
        }
        #expect(rows >= 20)
        #expect(missing.isEmpty, "not on this machine after install-deps.sh test: \(missing)")
    }
}
