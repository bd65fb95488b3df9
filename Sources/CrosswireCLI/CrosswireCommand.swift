// The `crosswire` command line: subcommands, and the contract's exit codes
// (0 no check failed, 1 a check failed, 2 the input could not be used).

import ArgumentParser
import CrosswireCapture
import CrosswireVerdict
import Foundation

/// The root command.
public struct CrosswireCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "crosswire",
        abstract: "Verify a cross-host container network against its plan, from captures or live traffic.",
        discussion: """
            Exit codes: 0 no check failed (warnings allowed), 1 at least one check failed,
            2 the input could not be used (bad plan, unreadable capture, bad options).
            """,
        version: crosswireVersion,
        subcommands: [VerifyCommand.self, CaptureCommand.self, WatchCommand.self, DecodeCommand.self, LintCommand.self, InferCommand.self, DiffCommand.self, SchemaCommand.self]
    )

    public init() {}

    /// Parses `arguments` and runs the command, mapping every way of ending to
    /// the contract's exit codes. Returns the exit code.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let exit as CrosswireExit {
            if let message = exit.message { StandardError.line("crosswire: \(message)") }
            return exit.code
        } catch {
            let code = exitCode(for: error)
            if code.rawValue == 0 {
                // --help and --version print their text and succeed.
                print(fullMessage(for: error))
                return 0
            }
            let message = message(for: error)
            StandardError.line("crosswire: \(message.split(separator: "\n").first.map(String.init) ?? message)")
            return 2
        }
    }

    /// `runMain`, then ends the process with its exit code (`exit`, which flushes standard output).
    public static func runMainAndExit() -> Never { POSIX.exit(runMain()) }
}

/// Ends a command with an exit code of the contract and, optionally, a one-line message on stderr.
public struct CrosswireExit: Error {
    public var code: Int32
    public var message: String?
    public init(code: Int32, message: String? = nil) { self.code = code; self.message = message }

    /// An input error: exit code 2 with one line naming the file and, where known, line or frame.
    public static func input(_ message: String) -> CrosswireExit { CrosswireExit(code: 2, message: message) }
}

/// Writing to standard error.
enum StandardError {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
