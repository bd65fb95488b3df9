// The fleet deployment files under deploy/, each checked by the tool that owns
// its format: promtool for the alert rules (checked and unit-tested),
// systemd-analyze for the unit, a YAML parser and field checks for the
// DaemonSet (no Kubernetes OpenAPI schema is packaged for Debian), and a JSON
// parser for the Grafana dashboard.

import Foundation
import Testing

struct WatchDeployTests {
    static let deploy = TestPaths.packageRoot.appendingPathComponent("deploy")
    static let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
    static let systemdAnalyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
    static let python = URL(fileURLWithPath: "/usr/bin/env")

    @Test func alertRulesPassPromtoolCheck() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool.path), "promtool missing: scripts/install-deps.sh test")
        let r = try runProcess(Self.promtool, ["check", "rules", Self.deploy.appendingPathComponent("prometheus/crosswire.rules.yml").path], timeout: 60)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SUCCESS: 4 rules found"))
    }

    @Test func alertRulesPassTheirUnitTests() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.promtool.path), "promtool missing: scripts/install-deps.sh test")
        // promtool resolves rule_files relative to the test file.
        let r = try runProcess(Self.promtool, ["test", "rules", Self.deploy.appendingPathComponent("prometheus/crosswire.rules.test.yml").path], timeout: 60)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("SUCCESS"))
    }

    /// systemd-analyze verify needs ExecStart's binary to exist: the unit is verified as
    /// shipped but with the binary path pointing at the crosswire just built (the package
    /// installs it as /usr/bin/crosswire; make install rewrites the path to PREFIX/bin).
    @Test func systemdUnitVerifies() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.systemdAnalyze.path), "systemd-analyze missing")
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/crosswire-watch@.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/bin/crosswire watch --plan /etc/crosswire/%i.yaml"))
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        #expect(unit.contains("CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cw-unit-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A template is verified as one of its instances.
        let copy = dir.appendingPathComponent("crosswire-watch@demo.service")
        try unit.replacingOccurrences(of: "/usr/bin/crosswire", with: TestPaths.binary.path).write(to: copy, atomically: true, encoding: .utf8)
        // The man pages it names are not installed here (deb-check.sh verifies the installed unit with them).
        let r = try runProcess(Self.systemdAnalyze, ["verify", "--man=no", copy.path], timeout: 60)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.isEmpty, "systemd-analyze warned: \(r.stderr)")
    }

    /// Parsed with PyYAML (the table's python:yaml row); fields as the issue asks.
    @Test func daemonSetHasWhatAFleetNeeds() throws {
        let path = Self.deploy.appendingPathComponent("kubernetes/daemonset.yaml").path
        let r = try runProcess(Self.python, ["python3", "-c", "import json,sys,yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))", path], timeout: 30)
        try #require(r.status == 0, "\(r.stderr)")
        let docs = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let configMap = try #require(docs.first { $0["kind"] as? String == "ConfigMap" })
        let ds = try #require(docs.first { $0["kind"] as? String == "DaemonSet" })
        #expect(ds["apiVersion"] as? String == "apps/v1")
        let planText = try #require((configMap["data"] as? [String: String])?["plan.yaml"])
        #expect(planText.contains("version: 1"))

        let spec = try #require((ds["spec"] as? [String: Any])?["template"] as? [String: Any])
        let pod = try #require(spec["spec"] as? [String: Any])
        #expect(pod["hostNetwork"] as? Bool == true)
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let args = container["args"] as? [String] ?? []
        #expect(args.first == "watch")
        #expect(args.contains("--plan=/etc/crosswire/plan.yaml"))
        #expect(args.contains("--node=$(NODE_NAME)"))

        // Only NET_RAW and NET_ADMIN, everything else dropped; no privileged mode.
        let security = try #require(container["securityContext"] as? [String: Any])
        let caps = try #require(security["capabilities"] as? [String: Any])
        #expect(Set(caps["add"] as? [String] ?? []) == ["NET_RAW", "NET_ADMIN"])
        #expect(caps["drop"] as? [String] == ["ALL"])
        #expect(security["privileged"] == nil || security["privileged"] as? Bool == false)

        // The node name from the downward API.
        let env = container["env"] as? [[String: Any]] ?? []
        let nodeName = env.first { $0["name"] as? String == "NODE_NAME" }
        let fieldPath = ((nodeName?["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String
        #expect(fieldPath == "spec.nodeName")

        // The plan from the ConfigMap, mounted where --plan reads it.
        let volumes = pod["volumes"] as? [[String: Any]] ?? []
        let planVolume = try #require(volumes.first { ($0["configMap"] as? [String: Any])?["name"] as? String == (configMap["metadata"] as? [String: Any])?["name"] as? String })
        let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
        #expect(mounts.contains { $0["name"] as? String == planVolume["name"] as? String && $0["mountPath"] as? String == "/etc/crosswire" })

        // Readiness on /healthz, at the port --listen serves.
        let probe = try #require((container["readinessProbe"] as? [String: Any])?["httpGet"] as? [String: Any])
        #expect(probe["path"] as? String == "/healthz")
        let ports = container["ports"] as? [[String: Any]] ?? []
        #expect(ports.contains { $0["name"] as? String == probe["port"] as? String && $0["containerPort"] as? Int == 9465 })
        #expect(args.contains("--listen=0.0.0.0:9465"))

        let limits = try #require((container["resources"] as? [String: Any])?["limits"] as? [String: Any])
        #expect(limits["cpu"] != nil && limits["memory"] != nil)
    }

    @Test func grafanaDashboardShowsCheckStatusPerNode() throws {
        let data = try Data(contentsOf: Self.deploy.appendingPathComponent("grafana/crosswire-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["uid"] as? String == "crosswire-watch")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let exprs = panels.flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        let status = try #require(panels.first { ($0["targets"] as? [[String: Any]])?.first?["expr"] as? String == "crosswire_check_status{node=~\"$node\",check=~\"$check\"}" })
        #expect(status["type"] as? String == "state-timeline")
        #expect((status["targets"] as? [[String: Any]])?.first?["legendFormat"] as? String == "{{node}} {{check}}")
        // Every metric the watch exports has a panel, and every query names only those metrics.
        for name in ["crosswire_check_status", "crosswire_check_failures_total", "crosswire_packets_total", "crosswire_capture_drops_total",
                     "crosswire_encap_overhead_ratio", "crosswire_nat_translations_total", "crosswire_last_verdict_timestamp_seconds"] {
            #expect(exprs.contains { $0.contains(name) }, "no panel for \(name)")
        }
        let variables = ((dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(variables.contains("node"))
    }
}
