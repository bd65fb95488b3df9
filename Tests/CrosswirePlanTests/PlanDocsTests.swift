// docs/PLAN.md holds to the loader: every ```yaml block is loaded and
// validated, and the result must be the one its first line claims
// (`# expect: valid`, `# expect: plan.valid fail: WORDS`, `# expect: error: WORDS`).
// Also: every key the loader accepts has a row in the reference, and no row
// names a key the loader refuses.

import CrosswirePlan
import Foundation
import Testing

/// The repository root, found from this file (tests run from anywhere).
let repositoryRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    fatalError("Package.swift not found above \(#filePath)")
}()

/// One ```yaml block of a Markdown file, with the claim on its first line.
struct DocExample: Sendable, CustomStringConvertible {
    enum Claim: Sendable, Equatable {
        case valid
        case planValidFail(String)
        case error(String)
        case missing(String)
    }

    /// 1-based line of the block's first YAML line in the Markdown file.
    var line: Int
    var yaml: String
    var claim: Claim

    var description: String { "PLAN.md:\(line)" }

    init(line: Int, yaml: String) {
        self.line = line; self.yaml = yaml
        let first = yaml.prefix { $0 != "\n" }
        if first == "# expect: valid" {
            claim = .valid
        } else if first.hasPrefix("# expect: plan.valid fail: ") {
            claim = .planValidFail(String(first.dropFirst("# expect: plan.valid fail: ".count)))
        } else if first.hasPrefix("# expect: error: ") {
            claim = .error(String(first.dropFirst("# expect: error: ".count)))
        } else {
            claim = .missing(String(first))
        }
    }

    /// Every ```yaml block of `markdown`, in order.
    static func all(in markdown: String) -> [DocExample] {
        var examples: [DocExample] = [], block: [Substring]?, start = 0
        for (i, line) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if block == nil, line == "```yaml" {
                block = []; start = i + 2
            } else if let lines = block, line == "```" {
                examples.append(DocExample(line: start, yaml: lines.joined(separator: "\n") + "\n"))
                block = nil
            } else {
                block?.append(line)
            }
        }
        return examples
    }
}

enum PlanDocs {
    static let url = repositoryRoot.appendingPathComponent("docs/PLAN.md")
    static let text: String = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    static let examples = DocExample.all(in: text)

    /// What reading `yaml` gives, in the claim's terms, plus the text the claim's words are looked for in.
    static func outcome(of yaml: String) -> (claim: DocExample.Claim, text: String) {
        do {
            let plan = try PlanLoader().load(yaml: yaml, path: "plan.yaml")
            let problems = plan.lintLines()
            return plan.problems.isEmpty ? (.valid, "") : (.planValidFail(""), problems.joined(separator: "\n"))
        } catch {
            return (.error(""), error.description)
        }
    }
}

@Test func planDocsHasExamplesOfEveryOutcome() {
    let examples = PlanDocs.examples
    #expect(examples.count >= 20, "found \(examples.count) yaml blocks in \(PlanDocs.url.path)")
    #expect(examples.contains { $0.claim == .valid })
    #expect(examples.contains { if case .planValidFail = $0.claim { true } else { false } })
    #expect(examples.contains { if case .error = $0.claim { true } else { false } })
}

@Test(arguments: PlanDocs.examples)
func planDocsExampleGivesWhatItClaims(_ example: DocExample) {
    let (result, text) = PlanDocs.outcome(of: example.yaml)
    switch example.claim {
    case .missing(let first):
        Issue.record("\(example): the first line must be `# expect: …`, found \(first)")
    case .valid:
        #expect(result == .valid, "\(example) claims valid, got: \(text)")
    case .planValidFail(let words):
        #expect(result == .planValidFail(""), "\(example) claims a plan.valid failure, got \(result): \(text)")
        #expect(text.contains(words), "\(example) claims plan.valid fails with \"\(words)\", got: \(text)")
    case .error(let words):
        #expect(result == .error(""), "\(example) claims an error, got \(result) \(text)")
        #expect(text.contains(words), "\(example) claims the error \"\(words)\", got: \(text)")
    }
}

@Test func planDocsReferenceHasARowForEveryKey() {
    // Rows of the key tables: "| `hosts[].mac` | …".
    var rows: Set<String> = []
    for line in PlanDocs.text.split(separator: "\n") where line.hasPrefix("| `") {
        let cell = line.dropFirst(3).prefix { $0 != "`" }
        rows.insert(String(cell))
    }
    let keys = Set(PlanKeys.keyPaths)
    #expect(keys.subtracting(rows).sorted() == [], "keys the loader reads that docs/PLAN.md does not describe")
    #expect(rows.subtracting(keys).sorted() == [], "rows in docs/PLAN.md for keys the loader refuses")
}
