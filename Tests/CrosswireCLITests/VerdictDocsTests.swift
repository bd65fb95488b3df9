// docs/VERDICT.md names every field the JSON verdict really has: a fresh
// `crosswire verify --format json` and every committed reports/*/crosswire.json
// are walked, and each key path must have its row (`captures[].path`).

import Foundation
import Testing

/// Key paths of `value`: `checks[].evidence[].frame`. Objects keyed by data
/// (`metrics.evictions`, table name → count) are not descended into.
private func keyPaths(_ value: Any, _ path: String, into paths: inout Set<String>) {
    if let object = value as? [String: Any] {
        guard path != "metrics.evictions" else { return }
        for (key, child) in object {
            let childPath = path.isEmpty ? key : "\(path).\(key)"
            paths.insert(childPath)
            keyPaths(child, childPath, into: &paths)
        }
    } else if let list = value as? [Any] {
        for item in list { keyPaths(item, path + "[]", into: &paths) }
    }
}

@Test func verdictDocsNameEveryFieldOfTheJSON() throws {
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("cw-verdict-docs-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let scenario = TestPaths.pcaps.appendingPathComponent("02-static-masquerade")
    let run = try crosswire(
        ["verify", "--plan", scenario.appendingPathComponent("plan.yaml").path]
            + ["host1-br0.pcap", "host1-eth0.pcap"].map { scenario.appendingPathComponent($0).path }
            + ["--format", "json", "--output", out.path, "--quiet"])
    #expect(run.status == 1, "\(run.stderr)")
    var files = [out.appendingPathComponent("crosswire.json")]
    let reports = TestPaths.packageRoot.appendingPathComponent("reports")
    for name in (try? FileManager.default.contentsOfDirectory(atPath: reports.path)) ?? [] {
        let url = reports.appendingPathComponent(name).appendingPathComponent("crosswire.json")
        if FileManager.default.fileExists(atPath: url.path) { files.append(url) }
    }
    var paths: Set<String> = []
    for file in files { keyPaths(try JSONSerialization.jsonObject(with: Data(contentsOf: file)), "", into: &paths) }
    #expect(paths.contains("checks[].evidence[].frame"))

    let docs = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/VERDICT.md"), encoding: .utf8)
    // The three route tables share one row shape, documented once under bgp_routes[].
    let undocumented = paths.filter { path in
        let shared = path.replacingOccurrences(of: "ospf_routes[]", with: "bgp_routes[]")
            .replacingOccurrences(of: "ospf_adjacencies[]", with: "bgp_routes[]")
        return !docs.contains("| `\(path)` |") && !docs.contains("| `\(shared)` |")
    }
    #expect(undocumented.sorted() == [], "fields of the JSON verdict without a row in docs/VERDICT.md")
}
