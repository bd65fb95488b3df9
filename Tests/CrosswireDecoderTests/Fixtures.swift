// Builders for test frames, and a one-call decode.
//
// Each builder returns the bytes of one header (plus its payload where it has
// a length field to fill), so that a test reads like the stack it builds:
// `eth(type: 0x0800) + ipv4(proto: 17, payload: udp(sport: 1, dport: 2))`.
// Checksums are left 0: the decoder does not verify them.

import CrosswireDecoder
import CrosswireDecoderText

typealias Bytes = [UInt8]

let macA: Bytes = [0x02, 0x00, 0x00, 0x00, 0x00, 0x01]
let macB: Bytes = [0x02, 0x00, 0x00, 0x00, 0x00, 0x02]

func be16(_ v: UInt16) -> Bytes { [UInt8(v >> 8), UInt8(v & 0xFF)] }
func be32(_ v: UInt32) -> Bytes { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
func le32(_ v: UInt32) -> Bytes { be32(v).reversed() }

/// An IPv6 address's 16 bytes from its text.
func v6(_ text: String) -> Bytes {
    let a = IPv6Address(text)!
    return be32(UInt32(a.high >> 32)) + be32(UInt32(a.high & 0xFFFF_FFFF)) + be32(UInt32(a.low >> 32))
        + be32(UInt32(a.low & 0xFFFF_FFFF))
}

/// The bytes of a hex dump as `tshark -x` prints it (offset, up to 16 bytes, optional ASCII column).
func hexDump(_ text: String) -> Bytes {
    var out: Bytes = []
    for line in text.split(separator: "\n") {
        // The ASCII column follows three spaces; the offset column is the first word.
        var body = Substring(line.drop { $0 == " " })
        if let r = body.firstRange(of: "   ") { body = body[..<r.lowerBound] }
        var words = body.split(separator: " ")
        if let first = words.first, first.count == 4 { words.removeFirst() }
        for w in words { out.append(UInt8(w, radix: 16)!) }
    }
    return out
}

// MARK: - Link layers

func eth(dst: Bytes = macB, src: Bytes = macA, type: UInt16) -> Bytes { dst + src + be16(type) }

/// The 4 bytes of an 802.1Q/802.1ad tag after its TPID: TCI, then the EtherType that follows.
func tag(pcp: UInt8 = 0, dei: Bool = false, id: UInt16, type: UInt16) -> Bytes {
    be16(UInt16(pcp) << 13 | (dei ? 0x1000 : 0) | id) + be16(type)
}

func sll(packetType: UInt16 = 0, hardwareType: UInt16 = 1, address: Bytes = macA, protocolType: UInt16) -> Bytes {
    be16(packetType) + be16(hardwareType) + be16(UInt16(address.count)) + address
        + Bytes(repeating: 0, count: 8 - address.count) + be16(protocolType)
}

func sll2(protocolType: UInt16, interface: UInt32 = 7, hardwareType: UInt16 = 1, packetType: UInt8 = 4, address: Bytes = macA) -> Bytes {
    be16(protocolType) + [0, 0] + be32(interface) + be16(hardwareType) + [packetType, UInt8(address.count)] + address
        + Bytes(repeating: 0, count: 8 - address.count)
}

func arp(op: UInt16, senderMAC: Bytes = macA, senderIP: Bytes, targetMAC: Bytes = [0, 0, 0, 0, 0, 0], targetIP: Bytes) -> Bytes {
    be16(1) + be16(0x0800) + [6, 4] + be16(op) + senderMAC + senderIP + targetMAC + targetIP
}

// MARK: - Network layers

let hostA: Bytes = [192, 0, 2, 1]
let hostB: Bytes = [192, 0, 2, 2]
let v6A = v6("2001:db8::1")
let v6B = v6("2001:db8::2")

/// An IPv4 header (20 bytes + options, a multiple of 4) and its payload.
/// `totalLength` and `ihl` override the computed fields.
func ipv4(
    src: Bytes = hostA, dst: Bytes = hostB, proto: UInt8, payload: Bytes = [], id: UInt16 = 0x1234, ttl: UInt8 = 64,
    df: Bool = false, mf: Bool = false, fragmentOffset: UInt16 = 0, options: Bytes = [],
    totalLength: Int? = nil, ihl: Int? = nil
) -> Bytes {
    let headerLength = 20 + options.count
    precondition(headerLength % 4 == 0, "pad IPv4 options to 4 bytes")
    let flags: UInt16 = (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | fragmentOffset
    let vihl = UInt8(0x40 | (ihl ?? headerLength / 4))
    let total = UInt16(totalLength ?? headerLength + payload.count)
    return [vihl, 0] + be16(total) + be16(id) + be16(flags) + [ttl, proto, 0, 0] + src + dst + options + payload
}

/// An IPv6 header and its payload (extension headers are part of the payload).
func ipv6(
    src: Bytes = v6A, dst: Bytes = v6B, next: UInt8, payload: Bytes = [], hopLimit: UInt8 = 64, flowLabel: UInt32 = 0,
    payloadLength: Int? = nil
) -> Bytes {
    be32(0x6000_0000 | flowLabel) + be16(UInt16(payloadLength ?? payload.count)) + [next, hopLimit] + src + dst + payload
}

/// A hop-by-hop, routing or destination-options header: `body` is padded to a multiple of 8 with Pad1/PadN.
func ipv6Options(next: UInt8, body: Bytes = [], extLength: UInt8? = nil) -> Bytes {
    var b = body
    let total = max(8, (b.count + 2 + 7) / 8 * 8)
    let pad = total - 2 - b.count
    if pad == 1 { b.append(0) } else if pad >= 2 { b += [1, UInt8(pad - 2)] + Bytes(repeating: 0, count: pad - 2) }
    return [next, extLength ?? UInt8(total / 8 - 1)] + b
}

/// An IPv6 fragment header.
func ipv6Fragment(next: UInt8, offset: UInt16 = 0, more: Bool = false, id: UInt32 = 0xABCD) -> Bytes {
    [next, 0] + be16(offset << 3 | (more ? 1 : 0)) + be32(id)
}

/// An authentication header with `icv` bytes of integrity check value.
func ipv6AH(next: UInt8, icv: Int = 12) -> Bytes {
    let length = 12 + icv
    return [next, UInt8(length / 4 - 2), 0, 0] + be32(0x100) + be32(1) + Bytes(repeating: 0xAA, count: icv)
}

// MARK: - Transport layers

func udp(sport: UInt16 = 40000, dport: UInt16 = 9, payload: Bytes = [], length: Int? = nil) -> Bytes {
    be16(sport) + be16(dport) + be16(UInt16(length ?? 8 + payload.count)) + [0, 0] + payload
}

/// A TCP header; `options` must be a multiple of 4 bytes unless `dataOffset` overrides.
func tcp(
    sport: UInt16 = 40001, dport: UInt16 = 80, seq: UInt32 = 1000, ack: UInt32 = 0, flags: UInt16 = 0x002,
    window: UInt16 = 64240, options: Bytes = [], payload: Bytes = [], dataOffset: Int? = nil
) -> Bytes {
    let doff = UInt16(dataOffset ?? (20 + options.count) / 4)
    return be16(sport) + be16(dport) + be32(seq) + be32(ack) + be16(doff << 12 | flags) + be16(window) + [0, 0, 0, 0]
        + options + payload
}

func icmp(type: UInt8, code: UInt8 = 0, rest: UInt32 = 0, payload: Bytes = []) -> Bytes {
    [type, code, 0, 0] + be32(rest) + payload
}

// MARK: - Tunnels

func vxlan(vni: UInt32) -> Bytes { [0x08, 0, 0, 0] + be32(vni << 8) }

/// A GENEVE header with `options` (already TLVs, a multiple of 4 bytes).
func geneve(vni: UInt32, protocolType: UInt16 = 0x6558, options: Bytes = []) -> Bytes {
    [UInt8(options.count / 4), 0] + be16(protocolType) + be32(vni << 8) + options
}

/// One GENEVE option TLV carrying `data` (a multiple of 4 bytes).
func geneveOption(class optionClass: UInt16 = 0x0102, type: UInt8 = 0x80, data: Bytes) -> Bytes {
    be16(optionClass) + [type, UInt8(data.count / 4)] + data
}

func gre(protocolType: UInt16, checksum: UInt16? = nil, key: UInt32? = nil, sequence: UInt32? = nil) -> Bytes {
    var flags: UInt16 = 0
    if checksum != nil { flags |= 0x8000 }
    if key != nil { flags |= 0x2000 }
    if sequence != nil { flags |= 0x1000 }
    var b = be16(flags) + be16(protocolType)
    if let checksum { b += be16(checksum) + [0, 0] }
    if let key { b += be32(key) }
    if let sequence { b += be32(sequence) }
    return b
}

func vxlanGPE(vni: UInt32, next: UInt8) -> Bytes { [0x0C, 0, 0, next] + be32(vni << 8) }

/// An NSH with MD type 1 (6 words: base header, service path, 4 context words).
func nsh(next: UInt8, spi: UInt32 = 42, si: UInt8 = 255) -> Bytes {
    [0x0F, 0xC6, 0x01, next] + be32(spi << 8 | UInt32(si)) + Bytes(repeating: 0, count: 16)
}

// MARK: - Decoding

/// Decodes `bytes` as captured; `originalLength` defaults to the byte count.
func decode(
    _ bytes: Bytes, linkType: LinkType = .ethernet, originalLength: Int? = nil,
    options: DecoderOptions = DecoderOptions()
) -> DecodedPacket {
    var packet = DecodedPacket()
    let decoder = PacketDecoder(options: options)
    bytes.withUnsafeBytes { raw in
        let span = raw.bytes
        decoder.decode(span, linkType: linkType, originalLength: originalLength ?? bytes.count, into: &packet)
    }
    return packet
}

/// Runs one header parser over `bytes`.
func parse<T>(_ bytes: Bytes, _ body: (borrowing RawSpan) throws(DecodeStop) -> T) -> Result<T, DecodeStop> {
    bytes.withUnsafeBytes { raw in
        let span = raw.bytes
        do throws(DecodeStop) { return .success(try body(span)) } catch { return .failure(error) }
    }
}

extension Result {
    var value: Success? { if case .success(let v) = self { v } else { nil } }
    var error: Failure? { if case .failure(let e) = self { e } else { nil } }
}

extension DecodedPacket {
    /// The layer list as an array.
    var layerList: [Layer] { (0..<layerCount).map { layers[$0].layer } }
    /// The innermost IP level and the first tunnel level, as analysers read them (`PacketView`).
    var innermostIPLevel: Int? { var copy = self; return withUnsafePointer(to: &copy) { PacketView($0).innermostIPLevel } }
    var firstTunnelLevel: Int? { var copy = self; return withUnsafePointer(to: &copy) { PacketView($0).firstTunnelLevel } }

    /// The layer records as an array.
    var records: [LayerRecord] { (0..<layerCount).map { layers[$0] } }

    /// The text of one field, as `crosswire decode -T fields` prints it.
    func field(_ f: PacketField, seconds: Int64 = 0, nanoseconds: UInt32 = 0) -> String {
        var out: Bytes = []
        var control = NoControlPlaneFields()
        write(f, frame: FrameFacts(number: 1, seconds: seconds, nanoseconds: nanoseconds), control: &control, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

func ip4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress { .v4(IPv4Address(a, b, c, d)) }
func ip6(_ text: String) -> IPAddress { .v6(IPv6Address(text)!) }
func macAddress(_ b: Bytes) -> MACAddress { MACAddress(rawValue: b.reduce(0) { $0 << 8 | UInt64($1) }) }
