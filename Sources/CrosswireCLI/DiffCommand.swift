// `crosswire diff PLAN CAPTURE... [--format md|json]`

import ArgumentParser
import CrosswireVerify

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare a plan with what captures show, key by key; exit 0 (as planned), 1 (a difference) or 2 (bad input).",
        discussion: """
            Each key is present (as planned), missing (planned, not seen in the captures), extra (seen, not planned) \
            or different (seen otherwise). Exit 1 when a key is extra or different; missing is not proof against the plan.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }

    @Argument(help: "The plan (YAML).")
    var plan: String

    @Argument(help: "pcap or pcapng files of the network.")
    var captures: [String]

    @Option(name: .long, help: "Output format: md (default) or json.")
    var format: Format = .md

    func validate() throws {
        if captures.isEmpty { throw ValidationError("at least one CAPTURE is needed") }
    }

    func run() throws {
        let intended = try loadPlan(plan)
        let observed = try inferPlan(captures, judge: true)
        let diff = PlanDiff(intended: intended, observed: observed)
        print(format == .json ? diff.json() : diff.markdown(), terminator: "")
        try endIfCut(observed)
        throw CrosswireExit(code: diff.differs ? 1 : 0)
    }
}
