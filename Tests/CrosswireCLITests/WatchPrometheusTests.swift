// `crosswire watch` end to end with a real Prometheus: in host1's namespace of
// the live lab (live-lab.sh) watch captures br0 and eth0 and listens on
// 127.0.0.1; Debian's prometheus, started in the same namespace on 127.0.0.1,
// scrapes it every second. The test asks Prometheus's HTTP API for
// crosswire_check_status{check="nat.source"}: 0 while the lab follows the plan,
// 2 once an iptables MASQUERADE rule is added in host1, 0 again once it is
// removed and the window has passed.
//
// Root, `ip netns` and prometheus are needed (skipped with a message otherwise).
// Only the processes the test started are signalled, by PID; the namespaces
// go with the lab; every wait is bounded.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: WatchLab.available, "needs root, ip netns and prometheus"), .timeLimit(.minutes(3)))
struct WatchPrometheusTests {
    @Test func prometheusSeesNATSourceFailWhileMasqueradeIsOnAndPassAfter() throws {
        let lab = try LiveLab()
        let ns = "\(lab.prefix)-h1"
        let ring = lab.path("ring"), reports = lab.path("reports")
        let watch = try lab.startCrosswire([
            "watch", "--plan", LiveLab.plan, "--interface", "br0", "--interface", "eth0", "--listen", "127.0.0.1:9465",
            "--window", "8s", "--refresh", "1s", "--node", "h1", "--ring", ring, "--ring-size", "4MiB",
            "--output", reports, "--format", "json", "--quiet",
        ])
        defer { watch.send(SIGKILL) }
        #expect(watch.waitForStderr(containing: "serving http://127.0.0.1:9465", timeout: 10), "\(watch.stderr)")

        let config = lab.path("prometheus.yml")
        try """
            global: { scrape_interval: 1s, evaluation_interval: 1s }
            scrape_configs:
              - job_name: crosswire
                static_configs: [ { targets: ["127.0.0.1:9465"] } ]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let prometheus = try BackgroundProcess(
            LiveLab.ip,
            [
                "netns", "exec", ns, WatchLab.prometheus, "--config.file=\(config)", "--web.listen-address=127.0.0.1:9090",
                "--storage.tsdb.path=\(lab.path("tsdb"))", "--storage.tsdb.retention.time=1h", "--log.level=warn",
            ], directory: lab.directory, name: "prometheus")
        defer {
            prometheus.send(SIGTERM)
            _ = prometheus.finish(timeout: 10)
        }

        /// Prometheus's answer for nat.source's status (the raw JSON, and the value when there is one).
        func ask() throws -> (json: String, value: String?) {
            let r = try runProcess(
                LiveLab.ip,
                ["netns", "exec", ns, "curl", "-s", "--max-time", "3", "http://127.0.0.1:9090/api/v1/query",
                 "--data-urlencode", "query=crosswire_check_status{check=\"nat.source\"}"], timeout: 10)
            guard let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any],
                let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
                let first = result.first, let value = first["value"] as? [Any]
            else { return (r.stdout, nil) }
            return (r.stdout, value.last as? String)
        }
        /// Runs bounded lab traffic until Prometheus answers `want` (at most `seconds`); returns the last answer.
        func trafficUntil(_ want: String, seconds: TimeInterval) throws -> (json: String, value: String?) {
            let deadline = Date().addingTimeInterval(seconds)
            var answer = try ask()
            while answer.value != want, Date() < deadline {
                try lab.traffic()
                answer = try ask()
            }
            return answer
        }
        func masquerade(_ op: String) throws {
            let r = try runProcess(
                LiveLab.ip, ["netns", "exec", ns, "iptables", "-t", "nat", op, "POSTROUTING", "-s", "192.168.10.0/24", "-o", "eth0", "-j", "MASQUERADE"],
                timeout: 10)
            #expect(r.status == 0, "iptables \(op): \(r.stderr)")
        }
        func get(_ path: String, accept: String? = nil) throws -> ProcessResult {
            try runProcess(
                LiveLab.ip,
                ["netns", "exec", ns, "curl", "-s", "--max-time", "5", "-w", "\n%{http_code}"] + (accept.map { ["-H", "Accept: \($0)"] } ?? [])
                    + ["http://127.0.0.1:9465\(path)"], timeout: 10)
        }

        let before = try trafficUntil("0", seconds: 30)
        print("Prometheus before the break: \(before.json)")
        #expect(before.value == "0", "before: \(before.json)\nwatch: \(watch.stderr)\nprometheus: \(prometheus.stderr)")
        #expect(try get("/healthz").stdout.hasSuffix("200"))

        try masquerade("-A")
        let during = try trafficUntil("2", seconds: 30)
        print("Prometheus during the break: \(during.json)")
        #expect(during.value == "2", "during: \(during.json)")

        // While it fails: the JSON verdict cites frames of ring files; OpenMetrics on request.
        let verdict = try get("/verdict").stdout
        let json = try JSONSerialization.jsonObject(with: Data(verdict.split(separator: "\n").dropLast().joined(separator: "\n").utf8)) as? [String: Any]
        let nat = (json?["checks"] as? [[String: Any]])?.first { $0["id"] as? String == "nat.source" }
        #expect(nat?["status"] as? String == "fail")
        let evidence = nat?["evidence"] as? [[String: Any]] ?? []
        #expect(!evidence.isEmpty)
        for e in evidence {
            let file = e["capture"] as? String ?? ""
            #expect(file.hasPrefix(ring + "/"), "evidence not in the ring: \(e)")
            #expect(FileManager.default.fileExists(atPath: file))
        }
        if let e = evidence.first, let file = e["capture"] as? String, let frame = e["frame"] as? Int {
            // The cited frame is the translated packet, as the ring file holds it.
            let rows = parseTSV(try crosswire(["decode", file, "-T", "fields", "-E", "header=y", "-e", "frame.number", "-e", "ip.src"], timeout: 30).stdout)
            #expect(rows.contains { $0["frame.number"] == String(frame) })
        }
        let open = try get("/metrics", accept: "application/openmetrics-text;version=1.0.0")
        #expect(open.stdout.contains("# TYPE crosswire_packets counter"))
        #expect(open.stdout.contains("crosswire_packets_total{interface=\"eth0\",node=\"h1\"}"))
        #expect(open.stdout.contains("# EOF"))
        #expect(try get("/report").stdout.contains("nat.source"))
        if let shot = ProcessInfo.processInfo.environment["CROSSWIRE_WATCH_SCREENSHOT"] {
            // For docs/watch-report.png: the live /report while nat.source fails.
            _ = try runProcess(
                LiveLab.ip,
                ["netns", "exec", ns, "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 "--window-size=1280,1400", "--screenshot=\(shot)", "http://127.0.0.1:9465/report"], timeout: 60)
        }

        try masquerade("-D")
        let after = try trafficUntil("0", seconds: 40)
        print("Prometheus after the break: \(after.json)")
        #expect(after.value == "0", "after: \(after.json)")

        let metrics = try get("/metrics").stdout
        #expect(metrics.contains("crosswire_check_failures_total{check=\"nat.source\",node=\"h1\"} 1"))
        #expect(metrics.contains("crosswire_last_verdict_timestamp_seconds{node=\"h1\"}"))

        // SIGHUP reloads the plan; SIGTERM writes the last window's reports and exits with its verdict.
        watch.send(SIGHUP)
        #expect(watch.waitForStderr(containing: "reloaded", timeout: 10), "\(watch.stderr)")
        watch.send(SIGTERM)
        let result = watch.finish(timeout: 15)
        #expect(!result.timedOut && !result.crashed)
        #expect(result.status == 0 || result.status == 1, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: reports + "/crosswire.json"))
    }
}

enum WatchLab {
    static let prometheus = "/usr/bin/prometheus"
    static let available: Bool = {
        guard LiveLab.available else { return false }
        guard FileManager.default.isExecutableFile(atPath: prometheus) else {
            print("WatchPrometheusTests skipped: no \(prometheus) (scripts/install-deps.sh test installs it)")
            return false
        }
        return true
    }()
}
