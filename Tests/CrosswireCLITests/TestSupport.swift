// Shared helpers for the end-to-end tests: where things are, and running the
// real `crosswire` binary with a time limit.

import Foundation

enum TestPaths {
    /// The package root (the directory holding Package.swift).
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The conformance corpus: real captures with tshark's decodes (Tests/Corpus/PROVENANCE.md).
    static let corpus = packageRoot.appendingPathComponent("Tests/Corpus")

    /// The `pcaps/` directory of the repository.
    static let pcaps = packageRoot.appendingPathComponent("pcaps")

    /// The `crosswire` binary built beside the test bundle.
    static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for dir in candidates {
            let url = dir.appendingPathComponent("crosswire")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return packageRoot.appendingPathComponent(".build/debug/crosswire")
    }()
}

/// The result of running a process.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool
    /// True when the process ended by a signal (a crash) rather than exiting.
    var crashed: Bool
}

/// Runs `executable` with `arguments`, killing it after `timeout` seconds.
func runProcess(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 60, input: Data? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    process.standardInput = input != nil ? stdin : FileHandle.nullDevice
    try process.run()
    if let input {
        // Written from another thread, then closed: the child sees the end of its input.
        DispatchQueue.global().async {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
    }
    // Read both pipes concurrently so a large output cannot block the child.
    nonisolated(unsafe) var outData = Data(), errData = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    group.enter()
    DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    var timedOut = false
    while process.isRunning {
        if Date() > deadline { timedOut = true; process.terminate(); break }
        Thread.sleep(forTimeInterval: 0.01)
    }
    // A child started from a Dispatch thread inherits its blocked signals and may not
    // die of SIGTERM: after 5 seconds more, SIGKILL.
    let killDeadline = Date().addingTimeInterval(5)
    while timedOut && process.isRunning && Date() < killDeadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    group.wait()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut,
        crashed: process.terminationReason == .uncaughtSignal)
}

/// Runs the `crosswire` binary.
func crosswire(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProcessResult {
    try runProcess(TestPaths.binary, arguments, timeout: timeout)
}

/// Reads a tab-separated file with a header row into dictionaries.
func readTSV(_ url: URL) throws -> [[String: String]] {
    let text = try String(contentsOf: url, encoding: .utf8)
    return parseTSV(text)
}

func parseTSV(_ text: String) -> [[String: String]] {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else { return [] }
    return lines.dropFirst().map { line in
        let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var row: [String: String] = [:]
        for (i, name) in header.enumerated() { row[name] = i < cells.count ? cells[i] : "" }
        return row
    }
}

/// A process started in the background, its output going to files (so that it
/// never blocks on a full pipe), that a test can signal by its own PID and wait for.
final class BackgroundProcess {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    /// Starts `executable` with `arguments`; output goes to files in `directory`.
    init(_ executable: URL, _ arguments: [String], directory: URL, name: String = "background") throws {
        stdoutURL = directory.appendingPathComponent("\(name).stdout")
        stderrURL = directory.appendingPathComponent("\(name).stderr")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits (at most `timeout` seconds) until stderr contains `text` or the process ended; true when found.
    func waitForStderr(containing text: String, timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Sends `signal` to this process (by its PID), if it is still running.
    func send(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Waits for the end (at most `timeout` seconds, then SIGKILL) and returns what it did.
    func finish(timeout: TimeInterval) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        var timedOut = false
        while process.isRunning {
            if Date() > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL); break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process.waitUntilExit()
        return ProcessResult(
            status: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut,
            crashed: process.terminationReason == .uncaughtSignal)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}
