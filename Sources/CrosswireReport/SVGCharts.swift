// Inline SVG charts of crosswire.html: encapsulation bytes with their overhead
// share, traffic per host pair, and a timeline of BGP/OSPF events.

import CrosswireVerdict

/// Inline SVG charts. Labels go through `HTMLEscape`; nothing refers to an outside resource.
enum SVGCharts {
    private static let width = 960.0
    private static let labelWidth = 190.0
    private static let valueWidth = 250.0
    private static let rowHeight = 30.0
    private static let barHeight = 18.0

    private static func f(_ value: Double) -> String { NumberFormat.coordinate(value) }

    /// Truncates a label to fit the label column (the full text stays in a `<title>`).
    private static func clip(_ text: String, _ limit: Int = 28) -> String {
        let line = OneLine.clean(text)
        return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
    }

    /// Bytes per encapsulation kind, each bar split into inner bytes and overhead.
    static func encapsulation(_ metrics: [EncapsulationMetric]) -> String {
        let maxBytes = Double(metrics.map(\.bytes).max() ?? 0)
        let barSpace = width - labelWidth - valueWidth
        let height = Double(metrics.count) * rowHeight + 34
        var svg = "<svg role=\"img\" aria-label=\"Bytes by encapsulation kind\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "width=\"\(f(width))\" height=\"\(f(height))\">"
        for (i, metric) in metrics.enumerated() {
            let y = Double(i) * rowHeight + 6
            let total = maxBytes > 0 ? Double(metric.bytes) / maxBytes * barSpace : 0
            let over = metric.bytes > 0 ? total * Double(metric.overheadBytes) / Double(metric.bytes) : 0
            let tip = HTMLEscape.line("\(metric.kind): \(NumberFormat.count(metric.bytes)) bytes in \(NumberFormat.count(metric.frames)) frames, "
                + "\(NumberFormat.count(metric.overheadBytes)) bytes overhead (\(NumberFormat.percent(metric.overheadRatio)))")
            svg += "<g><title>\(tip)</title>"
            svg += "<text x=\"\(f(labelWidth - 10))\" y=\"\(f(y + 13))\" text-anchor=\"end\">\(HTMLEscape.text(clip(metric.kind)))</text>"
            svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y))\" width=\"\(f(max(total - over, 0)))\" height=\"\(f(barHeight))\" fill=\"#54aeff\"/>"
            svg += "<rect x=\"\(f(labelWidth + total - over))\" y=\"\(f(y))\" width=\"\(f(over))\" height=\"\(f(barHeight))\" fill=\"#fb8f44\"/>"
            svg += "<text x=\"\(f(labelWidth + total + 8))\" y=\"\(f(y + 13))\">\(HTMLEscape.text(NumberFormat.bytes(metric.bytes))) · "
                + "overhead \(HTMLEscape.text(NumberFormat.percent(metric.overheadRatio))) "
                + "(\(HTMLEscape.text(NumberFormat.decimal(metric.overheadBytesPerPacket))) B/packet)</text></g>"
        }
        let legendY = Double(metrics.count) * rowHeight + 16
        svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(legendY))\" width=\"12\" height=\"12\" fill=\"#54aeff\"/>"
        svg += "<text class=\"legend\" x=\"\(f(labelWidth + 18))\" y=\"\(f(legendY + 10))\">inner packets</text>"
        svg += "<rect x=\"\(f(labelWidth + 120))\" y=\"\(f(legendY))\" width=\"12\" height=\"12\" fill=\"#fb8f44\"/>"
        svg += "<text class=\"legend\" x=\"\(f(labelWidth + 138))\" y=\"\(f(legendY + 10))\">encapsulation overhead</text>"
        return svg + "</svg>"
    }

    /// At most this many host pairs are drawn (the busiest); the table lists them all.
    static let hostPairLimit = 15

    /// Bytes per host pair, busiest first.
    static func hostPairs(_ pairs: [HostPairTraffic]) -> String {
        let shown = Array(pairs.sorted { $0.bytes > $1.bytes }.prefix(hostPairLimit))
        let maxBytes = Double(shown.first?.bytes ?? 0)
        let barSpace = width - labelWidth - valueWidth
        let height = Double(shown.count) * rowHeight + 8
        var svg = "<svg role=\"img\" aria-label=\"Traffic per host pair\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "width=\"\(f(width))\" height=\"\(f(height))\">"
        for (i, pair) in shown.enumerated() {
            let y = Double(i) * rowHeight + 6
            let length = maxBytes > 0 ? max(Double(pair.bytes) / maxBytes * barSpace, 1) : 0
            let label = "\(pair.from) → \(pair.to)"
            svg += "<g><title>\(HTMLEscape.line("\(label): \(NumberFormat.count(pair.packets)) packets, \(NumberFormat.count(pair.bytes)) bytes"))</title>"
            svg += "<text x=\"\(f(labelWidth - 10))\" y=\"\(f(y + 13))\" text-anchor=\"end\">\(HTMLEscape.text(clip(label)))</text>"
            svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y))\" width=\"\(f(length))\" height=\"\(f(barHeight))\" rx=\"2\" fill=\"#0969da\"/>"
            svg += "<text x=\"\(f(labelWidth + length + 8))\" y=\"\(f(y + 13))\">\(HTMLEscape.text(NumberFormat.bytes(pair.bytes))) · "
                + "\(HTMLEscape.text(NumberFormat.count(pair.packets))) packets</text></g>"
        }
        return svg + "</svg>"
    }

    /// The colour of a control event's marker: red for NOTIFICATION, else by protocol.
    private static func eventColour(_ event: ControlEvent) -> String {
        let kind = event.kind.lowercased()
        if kind.contains("notification") { return "#cf222e" }
        if kind.contains("withdraw") { return "#bf8700" }
        return event.proto.lowercased() == "bgp" ? "#8250df" : "#0969da"
    }

    /// Up to this many events, each marker of the timeline carries its message kind as a label.
    static let labelLimit = 40

    /// BGP and OSPF events on a shared time axis, one lane per protocol.
    static func timeline(_ events: [ControlEvent]) -> String {
        let sorted = events.sorted { $0.time < $1.time }
        guard let start = sorted.first?.time, let end = sorted.last?.time else { return "" }
        let span = max(end - start, 0.001)
        var lanes: [String] = []
        for event in sorted where !lanes.contains(event.proto.lowercased()) { lanes.append(event.proto.lowercased()) }
        let laneHeight = 60.0
        let left = 90.0, right = width - 50
        let axisY = Double(lanes.count) * laneHeight + 10
        let height = axisY + 34
        var svg = "<svg role=\"img\" aria-label=\"Timeline of control-plane events\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
            + "width=\"\(f(width))\" height=\"\(f(height))\">"
        for (i, lane) in lanes.enumerated() {
            let y = Double(i) * laneHeight + 30
            svg += "<text x=\"\(f(left - 16))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-weight=\"600\">"
                + "\(HTMLEscape.text(clip(lane.uppercased(), 10)))</text>"
            svg += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(right))\" y2=\"\(f(y))\"/>"
        }
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(axisY))\" x2=\"\(f(right))\" y2=\"\(f(axisY))\" stroke=\"#59636e\"/>"
        for tick in 0...4 {
            let x = left + (right - left) * Double(tick) / 4
            let anchor = tick == 0 ? "start" : tick == 4 ? "end" : "middle"
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(axisY))\" x2=\"\(f(x))\" y2=\"\(f(axisY + 5))\" stroke=\"#59636e\"/>"
            svg += "<text class=\"legend\" x=\"\(f(x))\" y=\"\(f(axisY + 19))\" text-anchor=\"\(anchor)\">"
                + "+\(HTMLEscape.text(NumberFormat.duration(span * Double(tick) / 4)))</text>"
        }
        let labelled = sorted.count <= labelLimit
        // Per lane, where the last label of the upper and of the lower row ended.
        var rowEnds: [Int: [Double]] = [:]
        for event in sorted {
            let lane = lanes.firstIndex(of: event.proto.lowercased()) ?? 0
            let x = left + (right - left) * (event.time - start) / span
            let y = Double(lane) * laneHeight + 30
            if labelled {
                // Above the lane if it fits, else below, else no label (the marker's tooltip still tells).
                let text = clip(event.kind, 14)
                let textWidth = Double(text.count) * 6.6 + 8
                let textStart = min(max(x - textWidth / 2, left - 8), width - 4 - textWidth)
                var ends = rowEnds[lane] ?? [-1_000, -1_000]
                if let row = ends.firstIndex(where: { $0 <= textStart }) {
                    ends[row] = textStart + textWidth
                    svg += "<text class=\"legend\" x=\"\(f(textStart + 4))\" y=\"\(f(row == 0 ? y - 11 : y + 21))\" "
                        + "font-size=\"11\">\(HTMLEscape.text(text))</text>"
                }
                rowEnds[lane] = ends
            }
            let tip = HTMLEscape.line("+\(NumberFormat.duration(event.time - start)) \(event.proto.uppercased()) \(event.kind) · "
                + "\(event.capture) frame \(event.frame) · \(event.detail)")
            svg += "<g><title>\(tip)</title><circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"6\" fill=\"\(eventColour(event))\" "
                + "fill-opacity=\"0.8\" stroke=\"#fff\" stroke-width=\"1\"/></g>"
        }
        return svg + "</svg>"
    }
}
