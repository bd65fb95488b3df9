// `crosswire decode CAPTURE [-T text|fields|json] [-e FIELD]... [-E header=y]`

import ArgumentParser
import CrosswireCapture
import CrosswireDecoder
import CrosswireDecoderText

/// Prints every packet of a capture: a tcpdump-like line, tshark-style fields, or JSON.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a capture: one line per packet (text), tshark-style fields, or JSON.",
        discussion: """
            Fields (-e) are formatted as tshark 4.0 prints them; a field that occurs several
            times in one packet (tunnels, ICMP quotes, VLAN stacks) lists each occurrence,
            outermost first, joined by ','. Known fields: \(PacketField.allCases.map(\.rawValue).joined(separator: " "))
            """
    )

    enum OutputMode: String, ExpressibleByArgument, CaseIterable {
        case text, fields, json
    }

    @Argument(help: "A pcap or pcapng file; - reads standard input.")
    var capture: String

    @Option(name: .customShort("T"), help: "Output: text, fields or json.")
    var mode: OutputMode = .text

    @Option(name: .customShort("e"), help: "A field to print with -T fields (repeatable).")
    var fields: [String] = []

    @Option(name: .customShort("E"), help: "Field output option: header=y|n, separator=/t|/s|C, aggregator=C, quote=n.")
    var fieldOptions: [String] = []

    @Option(name: .customLong("vxlan-port"), help: "Another UDP port to decode as VXLAN (4789 and 8472 always are).")
    var vxlanPorts: [UInt16] = []

    @Option(name: .customLong("geneve-port"), help: "Another UDP port to decode as GENEVE (6081 always is).")
    var genevePorts: [UInt16] = []

    @Option(name: .customShort("c"), help: "Stop after this many packets.")
    var count: Int?

    func run() throws {
        var options = DecoderOptions()
        for p in vxlanPorts where !options.addVXLANPort(p) { throw CrosswireExit.input("too many --vxlan-port values (8 at most)") }
        for p in genevePorts where !options.addGENEVEPort(p) { throw CrosswireExit.input("too many --geneve-port values (4 at most)") }

        var selected: [PacketField] = []
        for name in fields {
            guard let f = PacketField(rawValue: name) else { throw CrosswireExit.input("-e \(name): unknown field") }
            selected.append(f)
        }
        if mode == .fields && selected.isEmpty { throw CrosswireExit.input("-T fields needs at least one -e FIELD") }
        var header = false
        var separator = UInt8(ascii: "\t")
        for option in fieldOptions {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CrosswireExit.input("-E \(option): expected NAME=VALUE") }
            switch parts[0] {
            case "header": header = parts[1] == "y"
            case "separator":
                switch parts[1] {
                case "/t": separator = UInt8(ascii: "\t")
                case "/s": separator = UInt8(ascii: " ")
                default:
                    guard let ch = parts[1].utf8.first, parts[1].utf8.count == 1 else {
                        throw CrosswireExit.input("-E separator=\(parts[1]): one character, /t or /s")
                    }
                    separator = ch
                }
            case "occurrence", "aggregator", "quote":
                break  // every occurrence, joined with ',', unquoted: the only forms produced
            default:
                throw CrosswireExit.input("-E \(option): unknown option")
            }
        }

        var reader: CaptureFileReader
        do { reader = try CaptureFileReader(path: capture) } catch { throw CrosswireExit.input(error.description) }
        // The file's reads ahead on a second thread: the kernel's copy was a fifth of decoding.
        let readAhead = reader.readsThroughWindow ? ReadAheadThread() : nil
        reader.readsAhead = readAhead
        defer { readAhead?.stop() }

        var out = OutputBuffer()
        if mode == .fields && header {
            var names: [UInt8] = []
            for (i, f) in selected.enumerated() {
                if i > 0 { names.append(separator) }
                names.append(contentsOf: f.rawValue.utf8)
            }
            names.append(UInt8(ascii: "\n"))
            out.append(names)
        }
        var control = ControlPlaneFields()
        let limit = count ?? Int.max
        do {
            switch mode {
            case .fields:
                var line = FieldLine(selected, separator: separator)
                try writeFields(&reader, decoder: PacketDecoder(options: options), line: &line, control: &control, limit: limit, to: &out)
            case .text, .json:
                try writeLines(&reader, decoder: PacketDecoder(options: options), text: mode == .text, control: &control, limit: limit, to: &out)
            }
        } catch {
            out.flush()
            throw CrosswireExit.input(error.description)
        }
        out.flush()
        if control.lateMessages > 0 {
            StandardError.line("crosswire: note: \(control.lateMessages) BGP messages were completed only after a capture gap, for frames already printed; they are not in the output")
        }
    }
}

/// Writes the `-T fields` line of every frame. The frames are read in a plain
/// loop, not a closure: a closure that captures the packet copies the whole
/// `DecodedPacket` (about 2.5 KB) at every use. The control plane is fed only
/// when a field needs it.
private func writeFields(
    _ reader: inout CaptureFileReader, decoder: PacketDecoder, line: inout FieldLine, control: inout ControlPlaneFields,
    limit: Int, to out: inout OutputBuffer
) throws(CaptureError) {
    let buffer = DecodedPacketBuffer()
    let linkType = reader.linkType
    let feed = line.needsControlPlane, fixed = line.isFixed, bound = line.lineBound
    var info = FrameInfo()
    while let bytes = try reader.next(into: &info) {
        let packet = buffer.decode(bytes.bytes, by: decoder, linkType: linkType, originalLength: info.originalLength).packet
        let facts = FrameFacts(number: info.number, seconds: info.seconds, nanoseconds: info.nanoseconds)
        if feed { control.feed(packet.pointee, bytes: bytes.bytes, frame: facts, summaries: false) }
        let room = out.reserve(fixed ? bound : line.prepare(packet, frame: facts, control: &control))
        out.commit(line.write(packet, frame: facts, to: room))
        if info.number >= limit { return }
    }
}

/// Writes the text (tcpdump-like) or JSON line of every frame.
private func writeLines(
    _ reader: inout CaptureFileReader, decoder: PacketDecoder, text: Bool, control: inout ControlPlaneFields,
    limit: Int, to out: inout OutputBuffer
) throws(CaptureError) {
    var packet = DecodedPacket()
    var line: [UInt8] = []
    line.reserveCapacity(4096)
    let linkType = reader.linkType
    while let (info, bytes) = try reader.next() {
        decoder.decode(bytes.bytes, linkType: linkType, originalLength: info.originalLength, into: &packet)
        let facts = FrameFacts(number: info.number, seconds: info.seconds, nanoseconds: info.nanoseconds)
        control.feed(packet, bytes: bytes.bytes, frame: facts, summaries: text)
        line.removeAll(keepingCapacity: true)
        if text {
            writeDecimal(UInt64(info.number), to: &line)
            line.append(UInt8(ascii: " "))
            var none = NoControlPlaneFields()
            packet.write(.frameTimeEpoch, frame: facts, control: &none, to: &line)
            line.append(UInt8(ascii: " "))
            packet.writeSummary(to: &line)
            control.writeSummary(to: &line)
        } else {
            packet.writeJSON(frame: facts, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        out.append(line)
        if info.number >= limit { return }
    }
}
