// `crosswire verify --plan PLAN CAPTURE... [--format md|html|json|junit]... [--output DIR]`

import ArgumentParser
import CrosswireCapture
import CrosswirePlan
import CrosswireReport
import CrosswireVerdict
import CrosswireVerify
import Foundation

extension ReportFormat: ExpressibleByArgument {}

/// Options shared by `verify` and `capture`: where reports go and in which formats.
struct ReportOptions: ParsableArguments {
    @Option(name: .long, help: "Report format: md, html, json or junit (repeatable; default md and html).")
    var format: [ReportFormat] = []

    @Option(name: .long, help: "Directory for the reports (default: reports).")
    var output: String = "reports"

    @Option(name: .long, help: "Write every frame cited as evidence to this pcap file.")
    var evidence: String?

    @Flag(name: .shortAndLong, help: "Print nothing on stdout (the reports and the exit code still tell).")
    var quiet = false

    var formats: [ReportFormat] { format.isEmpty ? ReportFormat.defaults : format }

    /// Writes the reports and the evidence capture, prints the summary, and returns the contract's exit code.
    func finish(_ verdict: Verdict) throws -> Int32 {
        do {
            let written = try ReportWriter.write(verdict, formats: formats, to: URL(fileURLWithPath: output))
            if !quiet {
                print(TerminalSummary.render(verdict, color: POSIX.isTerminal(1)))
                print("reports: " + written.map(\.path).joined(separator: ", "))
            }
        } catch {
            throw CrosswireExit.input("\(error)")
        }
        if let evidence {
            do {
                let files = try EvidenceCapture.write(verdict, to: evidence)
                if !quiet { for f in files { print("evidence: \(f.path) (\(f.frames) frames)") } }
            } catch {
                throw CrosswireExit.input(error.description)
            }
        }
        return verdict.exitCode
    }
}

/// Loads a plan, or ends with exit code 2 and one line naming the file and line.
func loadPlan(_ path: String) throws -> Plan {
    do {
        return try PlanLoader().load(contentsOf: path)
    } catch {
        throw CrosswireExit.input(error.description)
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify captures against a plan; write reports; exit 0 (no check failed), 1 (a check failed) or 2 (bad input).",
        discussion: """
            Several captures of the same traffic at different points (a host's container bridge and its NIC, both hosts' NICs) are verified together: the same packet seen at two points is matched, which is how NAT is proven rather than guessed.

            With two threads (the default on two cores or more) one core reads and decodes, the other runs the analysers on the frames new to them; the verdict is the one a single thread gives.
            """
    )

    @Option(name: .long, help: "The plan (YAML).")
    var plan: String

    @Argument(help: "pcap or pcapng files; - reads standard input.")
    var captures: [String]

    @Option(
        name: [.customShort("j"), .long],
        help: "Threads: 1 does everything on one core; 2 reads and decodes on one core and runs the analysers on another (more counts as 2; default: 2 when there are two cores or more).")
    var threads: Int?

    /// For tests and measurements: every analyser sees every packet (also CROSSWIRE_NO_FAST_PATH=1).
    @Flag(name: .customLong("no-fast-path"), help: .hidden)
    var noFastPath = false

    @OptionGroup var report: ReportOptions

    /// Two threads when the machine has two cores: the analysers split in two halves.
    var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount > 1 ? 2 : 1 }

    func validate() throws {
        if captures.isEmpty { throw ValidationError("at least one CAPTURE is needed") }
        if let threads, threads < 1 { throw ValidationError("--threads must be 1 or more") }
    }

    func run() throws {
        let plan = try loadPlan(self.plan)
        // Every capture file must open before anything is read or written. Standard input
        // (`-`) and pipes are not tried: opening one would take its first bytes.
        for path in captures where CaptureSource(path: path).isRegularFile {
            do { _ = try CaptureFileReader(path: path) } catch { throw CrosswireExit.input(error.description) }
        }
        var session = VerificationSession(plan: plan)
        session.fastPath = !noFastPath && ProcessInfo.processInfo.environment["CROSSWIRE_NO_FAST_PATH"] != "1"
        if ProcessInfo.processInfo.environment["CROSSWIRE_CENSUS"] == "1" { session.census = InterestCensus() }
        let progress = ProgressLine()
        var sizes: [String: Int] = [:]
        for path in captures { sizes[path] = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }
        do {
            try session.read(captures.map { CaptureSource(path: $0) }, threads: threads ?? defaultThreads) { path, packets, bytes in
                progress.update(path: path, packets: packets, bytes: bytes, fileSize: sizes[path] ?? 0)
            }
        } catch {
            throw CrosswireExit.input(error.description)
        }
        progress.clear()
        if let census = session.census {
            let templates = "decoded from a header template: \(session.templates.hits); templates made: \(session.templates.learned)"
            FileHandle.standardError.write(Data((census.table + "\n" + templates + "\n").utf8))
        }
        let verdict = session.verdict()
        let code = try report.finish(verdict)
        if let cut = verdict.captures.first(where: { $0.incomplete != nil }), let incomplete = cut.incomplete {
            throw CrosswireExit(code: 2, message: "\(cut.path): frame \(incomplete.frame): \(incomplete.reason) (verdict and reports cover the frames before it, marked incomplete)")
        }
        throw CrosswireExit(code: code)
    }
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check that a plan is consistent (check plan.valid): exit 0 when it is, 1 when it is not, 2 when it cannot be read."
    )

    @Argument(help: "The plan (YAML).")
    var plan: String

    func run() throws {
        let loaded = try loadPlan(plan)
        for line in loaded.lintLines() { print(line) }
        throw CrosswireExit(code: loaded.problems.isEmpty ? 0 : 1)
    }
}

/// A progress line on stderr during a long replay or capture, only when stderr is a terminal.
final class ProgressLine {
    private let enabled = POSIX.isTerminal(2)
    private var last = Date()
    private let start = Date()
    private var shown = false

    /// Seconds since the line was made.
    var elapsed: Double { max(Date().timeIntervalSince(start), 0.001) }

    /// Shows `line` (built only when shown), at most four times a second.
    func show(_ line: @autoclosure () -> String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.25 else { return }
        last = now
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line()).utf8))
        shown = true
    }

    /// Progress through a capture file.
    func update(path: String, packets: Int, bytes: Int, fileSize: Int) {
        show("\(path): \(packets) packets, \(bytes / 1_000_000) MB, \(Int(Double(packets) / self.elapsed)) packets/s, \(fileSize > 0 ? min(100, bytes * 100 / fileSize) : 0)%")
    }

    func clear() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
