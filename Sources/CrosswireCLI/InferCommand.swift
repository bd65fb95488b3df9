// `crosswire infer CAPTURE... [--output PLAN]`

import ArgumentParser
import CrosswireCapture
import CrosswireVerify
import Foundation

struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Draft a plan from captures of a working network, each value with its evidence as a comment.",
        discussion: """
            Review the draft, commit it, then hold the network to it with `crosswire verify` in CI.
            What the captures do not show is said in a comment, not guessed.
            """
    )

    @Argument(help: "pcap or pcapng files of the network.")
    var captures: [String]

    @Option(name: .long, help: "Write the plan to this file (default: standard output).")
    var output: String?

    @Option(name: .long, help: "The plan's name (default: inferred).")
    var name: String = "inferred"

    func validate() throws {
        if captures.isEmpty { throw ValidationError("at least one CAPTURE is needed") }
    }

    func run() throws {
        let inferred = try inferPlan(captures, name: name)
        let text = inferred.yaml()
        if let output {
            do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                throw CrosswireExit.input("\(output): cannot write: \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
        try endIfCut(inferred)
    }
}

/// Exit code 2 naming the first capture that ends in the middle of a record, once the output
/// (which covers the frames before the cut) is written, as `verify` does.
func endIfCut(_ inferred: InferredPlan) throws {
    if let cut = inferred.cuts.first {
        throw CrosswireExit(code: 2, message: "\(cut.description) (the output covers the frames before it)")
    }
}

/// Infers the plan of `captures`, or ends with exit code 2 naming the capture that cannot be read.
func inferPlan(_ captures: [String], name: String = "inferred", judge: Bool = false) throws -> InferredPlan {
    for path in captures {
        do { _ = try CaptureFileReader(path: path) } catch { throw CrosswireExit.input(error.description) }
    }
    do {
        return try PlanInference.infer(captures: captures, name: name, judge: judge)
    } catch {
        throw CrosswireExit.input(error.description)
    }
}
