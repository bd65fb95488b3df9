// Robustness: every capture of the conformance corpus (Tests/Corpus), malformed and fuzz
// regressions included, decodes with no crash, no hang, exit code 0 or 2.

import Foundation
import Testing

struct CorpusRobustnessTests {
    static func allCaptures() -> [URL] {
        let corpus = TestPaths.corpus
        var result: [URL] = []
        for dir in ["tcpdump", "generated"] {
            let pcaps = corpus.appendingPathComponent("\(dir)/pcaps")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: pcaps.path)) ?? []
            result += names.sorted().map { pcaps.appendingPathComponent($0) }
        }
        return result
    }

    @Test func everyCaptureDecodesWithoutCrashOrHang() throws {
        let captures = Self.allCaptures()
        #expect(captures.count >= 150)
        var failures: [String] = []
        var exit2 = 0
        for url in captures {
            for mode in ["text", "json"] {
                let run = try crosswire(["decode", url.path, "-T", mode], timeout: 30)
                if run.timedOut { failures.append("\(url.lastPathComponent) -T \(mode): hung") }
                if run.crashed { failures.append("\(url.lastPathComponent) -T \(mode): crashed (signal \(run.status))") }
                if run.status != 0 && run.status != 2 { failures.append("\(url.lastPathComponent) -T \(mode): exit \(run.status)") }
                if run.status == 2 {
                    exit2 += 1
                    // One clear line naming the file.
                    let lines = run.stderr.split(separator: "\n")
                    if lines.count != 1 || !run.stderr.contains(url.path) {
                        failures.append("\(url.lastPathComponent): error is not one line naming the file: \(run.stderr)")
                    }
                }
            }
        }
        print("robustness: \(captures.count) captures decoded twice each, \(exit2) runs ended with exit 2")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Malformed captures are decoded past the bad packet: the stop is recorded and later frames still come out.
    @Test func malformedPacketsAreMarkedAndTheRunGoesOn() throws {
        let corpus = TestPaths.corpus
        let rows = try readTSV(corpus.appendingPathComponent("tcpdump/MANIFEST.tsv"))
        var marked = 0
        for row in rows where row["malformed"] == "yes" {
            let url = corpus.appendingPathComponent("tcpdump/pcaps/\(row["file"]!)")
            let run = try crosswire(["decode", url.path, "-T", "fields", "-e", "frame.number", "-e", "crosswire.stop"], timeout: 30)
            guard run.status == 0 else { continue }
            let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
            #expect(lines.count == Int(row["packets"] ?? "") ?? lines.count, "\(row["file"]!): every frame has a line")
            marked += lines.filter { $0.split(separator: "\t").count > 1 }.count
        }
        #expect(marked > 0)
        print("robustness: \(marked) frames of malformed captures carry a stop reason")
    }
}
