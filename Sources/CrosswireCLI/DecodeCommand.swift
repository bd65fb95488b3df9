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

        var out = OutputBuffer()
        if mode == .fields && header {
            for (i, f) in selected.enumerated() {
                if i > 0 { out.bytes.append(separator) }
                out.bytes.append(contentsOf: f.rawValue.utf8)
            }
            out.bytes.append(UInt8(ascii: "\n"))
        }
        let decoder = PacketDecoder(options: options)
        var packet = DecodedPacket()
        var control = ControlPlaneFields()
        let linkType = reader.linkType
        let limit = count ?? Int.max
        let mode = self.mode
        do {
            try reader.forEachFrame { info, bytes in
                decoder.decode(bytes, linkType: linkType, originalLength: info.originalLength, into: &packet)
                let facts = FrameFacts(number: info.number, seconds: info.seconds, nanoseconds: info.nanoseconds)
                control.feed(packet, bytes: bytes, frame: facts, summaries: mode == .text)
                switch mode {
                case .fields:
                    writeFields(selected, of: packet, separator: separator, frame: facts, control: &control, to: &out.bytes)
                case .text:
                    writeDecimal(UInt64(info.number), to: &out.bytes)
                    out.bytes.append(UInt8(ascii: " "))
                    var none = NoControlPlaneFields()
                    packet.write(.frameTimeEpoch, frame: facts, control: &none, to: &out.bytes)
                    out.bytes.append(UInt8(ascii: " "))
                    packet.writeSummary(to: &out.bytes)
                    control.writeSummary(to: &out.bytes)
                case .json:
                    packet.writeJSON(frame: facts, to: &out.bytes)
                }
                out.bytes.append(UInt8(ascii: "\n"))
                out.flushIfFull()
                return info.number < limit
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

/// Appends the `-T fields` line of one packet (without its newline).
///
/// A function of its own so that `packet` is borrowed once, in place: called
/// inside `forEachFrame`'s closure, where `packet`, `control` and the output
/// are captured variables, every `packet.write` copied the whole
/// `DecodedPacket` (about 2.5 KB) to a temporary first — 18 fields, 18 copies,
/// about half of the command's time.
@inline(never)
private func writeFields(
    _ selected: [PacketField], of packet: borrowing DecodedPacket, separator: UInt8, frame: FrameFacts,
    control: inout ControlPlaneFields, to out: inout [UInt8]
) {
    for (i, f) in selected.enumerated() {
        if i > 0 { out.append(separator) }
        packet.write(f, frame: frame, control: &control, to: &out)
    }
}
