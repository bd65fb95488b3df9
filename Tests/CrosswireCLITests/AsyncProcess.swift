// Running a process from an async test without holding one of Swift
// concurrency's few threads (one per core) while it runs: the long suites
// (cut captures, floods) would otherwise starve the other tests on 2 cores.

import Foundation

/// `runProcess`, with the blocking wait moved to a Dispatch thread.
func runProcessAsync(_ executable: URL, _ arguments: [String], timeout: TimeInterval = 60) async throws -> ProcessResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try runProcess(executable, arguments, timeout: timeout) })
        }
    }
}

/// Runs the `crosswire` binary from an async test.
func crosswireAsync(_ arguments: [String], timeout: TimeInterval = 120) async throws -> ProcessResult {
    try await runProcessAsync(TestPaths.binary, arguments, timeout: timeout)
}
