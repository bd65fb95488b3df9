// The plan's JSON Schema (PlanSchema.json, docs/plan.schema.json) against the
// loader: the same keys in every mapping, the same required keys, and every
// bundled plan accepted by Python's jsonschema as an editor would read it.

import CrosswirePlan
import Foundation
import Testing

enum SchemaFixture {
    /// The schema as JSON objects.
    static func root() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(PlanSchema.json.utf8)) as? [String: Any])
    }

    /// `node` with a `$ref` to `#/$defs/NAME` replaced by that definition.
    static func resolve(_ node: Any?, in root: [String: Any]) -> [String: Any]? {
        guard let node = node as? [String: Any] else { return nil }
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/$defs/") else { return node }
        let defs = root["$defs"] as? [String: Any]
        return resolve(defs?[String(ref.dropFirst("#/$defs/".count))], in: root)
    }

    /// Every object schema with `properties`, by its path in `PlanKeys.mappings` notation.
    static func objects(in root: [String: Any]) -> [String: [String: Any]] {
        var found: [String: [String: Any]] = [:]
        func walk(_ node: [String: Any], _ path: String) {
            if let properties = node["properties"] as? [String: Any] {
                found[path] = node
                for (key, child) in properties {
                    guard let child = resolve(child, in: root) else { continue }
                    walk(child, path.isEmpty ? key : "\(path).\(key)")
                }
            }
            if let items = resolve(node["items"], in: root) { walk(items, path + "[]") }
        }
        walk(root, "")
        return found
    }
}

@Test func schemaFileIsWhatCrosswireSchemaPrints() throws {
    let file = try Data(contentsOf: repositoryRoot.appendingPathComponent("docs/plan.schema.json"))
    // `crosswire schema` prints PlanSchema.json and a newline (SchemaCommand).
    #expect(file == Data((PlanSchema.json + "\n").utf8),
            "docs/plan.schema.json differs from PlanSchema.json: run `crosswire schema > docs/plan.schema.json`")
}

@Test func schemaAndLoaderAgreeOnEveryKey() throws {
    let root = try SchemaFixture.root()
    let objects = SchemaFixture.objects(in: root)
    let loaderPaths = Set(PlanKeys.mappings.map(\.path))
    #expect(Set(objects.keys) == loaderPaths, "mappings in the schema vs in PlanKeys.mappings")
    for (path, keys) in PlanKeys.mappings {
        let object = try #require(objects[path], "no object schema at \(path.isEmpty ? "the document" : path)")
        let properties = Set((object["properties"] as? [String: Any] ?? [:]).keys)
        #expect(properties == Set(keys), "keys of \(path.isEmpty ? "the document" : path): schema vs loader")
        #expect(object["additionalProperties"] as? Bool == false, "\(path) must refuse unknown keys, as the loader does")
    }
}

/// A plan holding every key the loader accepts, as JSON objects (JSON is YAML, so the loader reads it).
private func fullPlan() -> [String: Any] {
    let tunnel: [String: Any] = ["vni": 1, "port": 8472]
    return [
        "version": 1, "name": "full", "description": "every key",
        "underlay": ["mtu": 1500, "subnet": "192.168.56.0/24"],
        "hosts": [[
            "name": "host1", "address": "192.168.56.119", "mac": "02:42:c0:a8:38:77",
            "containers": "192.168.10.0/24", "gateway": "192.168.10.1", "asn": 64512,
            "router_id": "192.168.56.119",
        ]],
        "routers": [["name": "core", "address": "192.168.56.1", "mac": "02:00:00:00:00:01"]],
        "transport": ["mode": "vxlan", "mtu": 1450, "vxlan": tunnel, "geneve": tunnel, "max_overhead_ratio": 0.05],
        "nat": "none",
        "publish": [["host": "host1", "port": 8080, "protocol": "tcp", "to": "192.168.10.2:80"]],
        "routes": [["at": "core", "to": "192.168.10.0/24", "via": "192.168.56.119"]],
        "routing": [
            "protocol": "bgp", "bgp": ["hold_time": 90],
            "ospf": ["area": "0.0.0.0", "hello_interval": 10, "dead_interval": 40],
        ],
    ]
}

/// `plan` without the key at `path` + `key` (`hosts[]` means the first entry).
private func removing(_ key: String, at path: String, from plan: [String: Any]) -> [String: Any] {
    guard !path.isEmpty else { var copy = plan; copy[key] = nil; return copy }
    var parts = path.split(separator: ".", maxSplits: 1).map(String.init)
    let rest = parts.count > 1 ? parts.removeLast() : ""
    var head = parts[0]
    var copy = plan
    if head.hasSuffix("[]") {
        head.removeLast(2)
        var list = copy[head] as! [[String: Any]]
        list[0] = removing(key, at: rest, from: list[0])
        copy[head] = list
    } else {
        copy[head] = removing(key, at: rest, from: copy[head] as! [String: Any])
    }
    return copy
}

@Test func schemaAndLoaderAgreeOnRequiredKeys() throws {
    let root = try SchemaFixture.root()
    let objects = SchemaFixture.objects(in: root)
    func load(_ plan: [String: Any]) throws -> PlanError? {
        let data = try JSONSerialization.data(withJSONObject: plan, options: [.sortedKeys, .withoutEscapingSlashes])
        do { _ = try PlanLoader().load(bytes: Array(data)); return nil } catch { return error }
    }
    #expect(try load(fullPlan()) == nil, "the full plan must load")
    for (path, keys) in PlanKeys.mappings {
        let required = Set(objects[path]?["required"] as? [String] ?? [])
        for key in keys {
            let error = try load(removing(key, at: path, from: fullPlan()))
            let loaderRequires = error?.kind == .missingKey
            #expect(loaderRequires == required.contains(key),
                    "\(path).\(key): the loader \(loaderRequires ? "requires" : "does not require") it (\(error.map(String.init(describing:)) ?? "loaded")), the schema \(required.contains(key) ? "does" : "does not")")
        }
    }
}

/// Runs scripts/validate-plans.py; nil (after recording an issue) when python3 lacks jsonschema or PyYAML.
private func validatePlans(_ files: [URL], reject: Bool = false) throws -> (status: Int32, output: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", repositoryRoot.appendingPathComponent("scripts/validate-plans.py").path,
                         repositoryRoot.appendingPathComponent("docs/plan.schema.json").path]
        + (reject ? ["--reject"] : []) + files.map(\.path)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    // 3: the modules are missing; 127: no python3 at all. make test installs both
    // (scripts/install-deps.sh), so either is a failure, never a skip.
    if process.terminationStatus == 3 || process.terminationStatus == 127 {
        Issue.record("schema validation with Python could not run: \(text.isEmpty ? "python3 not found" : text) — run scripts/install-deps.sh test")
        return nil
    }
    return (process.terminationStatus, text)
}

/// Writes each docs/PLAN.md example that `matches` to a scratch file named by its line.
private func docExampleFiles(_ matches: (DocExample.Claim) -> Bool) throws -> [URL] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("crosswire-plan-docs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return try PlanDocs.examples.filter { matches($0.claim) }.map { example in
        let url = dir.appendingPathComponent("PLAN.md-line-\(example.line).yaml")
        try Data(example.yaml.utf8).write(to: url)
        return url
    }
}

@Test func everyBundledPlanValidatesAgainstTheSchema() throws {
    let pcaps = repositoryRoot.appendingPathComponent("pcaps")
    let bundled = try FileManager.default.contentsOfDirectory(atPath: pcaps.path).sorted()
        .map { pcaps.appendingPathComponent($0).appendingPathComponent("plan.yaml") }
        .filter { FileManager.default.fileExists(atPath: $0.path) }
    #expect(bundled.count >= 16)
    let readable = try docExampleFiles { if case .error = $0 { false } else { true } }
    #expect(readable.count >= 15)
    guard let result = try validatePlans(bundled + readable) else { return }
    #expect(result.status == 0, "plans the loader reads that the schema refuses:\n\(result.output)")
}

@Test func schemaRefusesEveryUnreadableDocExample() throws {
    let unreadable = try docExampleFiles { if case .error = $0 { true } else { false } }
    #expect(unreadable.count >= 5)
    guard let result = try validatePlans(unreadable, reject: true) else { return }
    #expect(result.status == 0, "plans the loader refuses that the schema accepts:\n\(result.output)")
}
