// The man pages (docs/man) and shell completions (docs/completions) are
// generated from the command line's definitions (`make man completions`);
// these tests fail when an option or subcommand changes and they were not
// regenerated.

import Foundation
import Testing

struct ManualAndCompletionTests {
    static let docs = TestPaths.packageRoot.appendingPathComponent("docs")

    @Test(arguments: [("bash", "crosswire.bash"), ("zsh", "_crosswire"), ("fish", "crosswire.fish")])
    func completionScriptIsTheBinarys(shell: String, file: String) throws {
        let run = try crosswire(["--generate-completion-script", shell])
        #expect(run.status == 0)
        let committed = try String(contentsOf: Self.docs.appendingPathComponent("completions/\(file)"), encoding: .utf8)
        #expect(committed == run.stdout, "docs/completions/\(file) is stale: run `make completions`")
    }

    /// Every page's footer names the binary's version (`.Os crosswire VERSION`).
    @Test func manPagesShowTheVersion() throws {
        let version = try crosswire(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.docs.appendingPathComponent("man").path)
        #expect(pages.count >= 6)
        for page in pages {
            let text = try String(contentsOf: Self.docs.appendingPathComponent("man/\(page)"), encoding: .utf8)
            #expect(text.contains("\n.Os crosswire \(version)\n"), "\(page) does not show version \(version): run `make man`")
        }
    }

    /// Every subcommand has its page, and every option of it is in that page.
    @Test func manPagesNameEveryOption() throws {
        let run = try crosswire(["--experimental-dump-help"])
        #expect(run.status == 0)
        let info = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let root = try #require(info?["command"] as? [String: Any])
        var problems: [String] = []
        func visit(_ command: [String: Any], path: [String]) throws {
            let page = Self.docs.appendingPathComponent("man/\(path.joined(separator: ".")).1")
            guard let text = try? String(contentsOf: page, encoding: .utf8) else {
                problems.append("no page \(page.lastPathComponent)")
                return
            }
            // Hidden options (`--no-fast-path`, for tests and measurements) have no help and no page.
            for argument in command["arguments"] as? [[String: Any]] ?? [] where argument["shouldDisplay"] as? Bool != false {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    let option = name["name"] as? String ?? ""
                    if !text.contains("Fl -\(option)") && !text.contains(", -\(option)") {
                        problems.append("\(page.lastPathComponent) lacks --\(option)")
                    }
                }
            }
            // `help` is argument-parser's own; its page documents no options.
            for sub in command["subcommands"] as? [[String: Any]] ?? [] where sub["commandName"] as? String != "help" {
                try visit(sub, path: path + [sub["commandName"] as? String ?? "?"])
            }
        }
        try visit(root, path: ["crosswire"])
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\nrun `make man`")
    }
}
