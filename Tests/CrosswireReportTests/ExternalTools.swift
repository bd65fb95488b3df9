// Running the real tools the reports are checked with (cmark-gfm, chromium,
// python3 + junitparser, xmllint), each bounded by a timeout. Tests that need a
// tool are disabled with a message naming the package when it is absent.

import Foundation
import Testing

enum ExternalTools {
    /// The full path of `name` on PATH (or in /usr/bin), if it is an executable.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let cmarkGFM = find("cmark-gfm")
    static let chromium = find("chromium")
    static let xmllint = find("xmllint")
    static let python3 = find("python3")
    /// python3 with junitparser importable.
    static let junitparser: String? = {
        guard let python3 else { return nil }
        let result = try? run(python3, ["-c", "import junitparser"], timeout: 30)
        return result?.status == 0 ? python3 : nil
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        var command: String
        var seconds: Double
        var description: String { "\(command) did not finish within \(seconds) s" }
    }

    /// Runs `executable` with `arguments`, stdin from `/dev/null`, stdout and stderr into
    /// temporary files (no pipe can fill up and stall it); kills it after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], stdin: URL? = nil, timeout: Double) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            let grace = Date().addingTimeInterval(3)
            while process.isRunning, Date() < grace { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw TimedOut(command: ([executable] + arguments).joined(separator: " "), seconds: timeout)
        }
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }

    /// A fresh scratch directory for one test.
    static func scratchDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-report-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Small text helpers for reading rendered HTML in assertions.
enum HTMLText {
    /// The first `<open…>…</close>` section after `marker`.
    static func section(_ html: String, after marker: String, open: String, close: String) -> String? {
        guard let start = html.range(of: marker),
              let begin = html.range(of: open, range: start.upperBound..<html.endIndex),
              let end = html.range(of: close, range: begin.upperBound..<html.endIndex) else { return nil }
        return String(html[begin.lowerBound..<end.upperBound])
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The contents of each `<tag…>…</tag>` element (not nested) in order.
    static func elements(_ tag: String, in html: String) -> [String] {
        var out: [String] = []
        var rest = html[...]
        while let open = rest.range(of: "<\(tag)"), let gt = rest.range(of: ">", range: open.upperBound..<rest.endIndex),
              let close = rest.range(of: "</\(tag)>", range: gt.upperBound..<rest.endIndex) {
            out.append(String(rest[gt.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return out
    }

    /// Text with tags removed and the five basic entities decoded.
    static func plain(_ html: String) -> String {
        var text = "", inTag = false
        for ch in html {
            if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { text.append(ch) }
        }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
