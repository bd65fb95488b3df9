// A small frame builder for the engine's edge-case tests: each function lays
// out one protocol header in network byte order, as its RFC draws it, and
// wraps a payload. Frames are plain byte arrays; `Lab` (LabSupport.swift)
// writes them into real pcap files. IPv4 header checksums are computed; the
// TCP/UDP/ICMP/OSPF checksums are left zero (Crosswire does not judge them).

/// Big-endian byte writers.
extension Array where Element == UInt8 {
    mutating func u16(_ v: Int) { append(UInt8(truncatingIfNeeded: v >> 8)); append(UInt8(truncatingIfNeeded: v)) }
    mutating func u32(_ v: UInt32) { u16(Int(v >> 16)); u16(Int(v & 0xFFFF)) }
}

/// `"192.168.10.2"` as 4 bytes.
func ip4(_ text: String) -> [UInt8] {
    let parts = text.split(separator: ".").compactMap { UInt8($0) }
    precondition(parts.count == 4, "not an IPv4 address: \(text)")
    return parts
}

/// `"02:42:c0:a8:38:77"` as 6 bytes.
func mac(_ text: String) -> [UInt8] {
    let parts = text.split(separator: ":").compactMap { UInt8($0, radix: 16) }
    precondition(parts.count == 6, "not a MAC: \(text)")
    return parts
}

/// The article's addressing and the MACs the tests use.
enum Addr {
    static let host1 = "192.168.56.119"
    static let host2 = "192.168.56.120"
    static let host3 = "192.168.56.121"
    static let router = "192.168.56.1"
    static let c1 = "192.168.10.2"      // a container on host1
    static let c2 = "192.168.20.2"      // a container on host2
    static let host1MAC = "02:42:c0:a8:38:77"
    static let host2MAC = "02:42:c0:a8:38:78"
    static let host3MAC = "02:42:c0:a8:38:79"
    static let routerMAC = "02:00:00:00:00:01"
    static let c1MAC = "02:42:c0:a8:0a:02"
    static let c2MAC = "02:42:c0:a8:14:02"
    static let bridge1MAC = "02:42:0a:0a:0a:01"   // host1's docker0
    static let bridge2MAC = "02:42:14:14:14:01"   // host2's docker0
}

/// TCP flag bits.
struct TCPFlags: OptionSet {
    let rawValue: UInt8
    static let fin = TCPFlags(rawValue: 0x01)
    static let syn = TCPFlags(rawValue: 0x02)
    static let rst = TCPFlags(rawValue: 0x04)
    static let psh = TCPFlags(rawValue: 0x08)
    static let ack = TCPFlags(rawValue: 0x10)
}

enum Frame {
    // MARK: link layer

    /// Ethernet II (RFC 894): destination MAC, source MAC, EtherType, payload.
    static func ethernet(src: String, dst: String, type: Int = 0x0800, _ payload: [UInt8]) -> [UInt8] {
        var b = mac(dst) + mac(src)
        b.u16(type)
        return b + payload
    }

    /// An Ethernet frame carrying an IPv4 packet.
    static func eth(_ src: String, _ dst: String, _ ipPacket: [UInt8]) -> [UInt8] {
        ethernet(src: src, dst: dst, type: 0x0800, ipPacket)
    }

    /// ARP for Ethernet/IPv4 (RFC 826): htype 1, ptype 0x0800, hlen 6, plen 4, op (1 request, 2 reply).
    static func arp(op: Int, senderMAC: String, senderIP: String, targetMAC: String, targetIP: String) -> [UInt8] {
        var b: [UInt8] = []
        b.u16(1); b.u16(0x0800); b.append(6); b.append(4); b.u16(op)
        b += mac(senderMAC) + ip4(senderIP) + mac(targetMAC) + ip4(targetIP)
        let dst = op == 1 ? "ff:ff:ff:ff:ff:ff" : targetMAC
        return ethernet(src: senderMAC, dst: dst, type: 0x0806, b)
    }

    // MARK: IPv4

    /// IPv4 (RFC 791), 20-byte header:
    /// ```
    ///  0      4      8              16    19                  31
    /// |ver=4|IHL=5|  TOS  |         total length              |
    /// |       identification        |flags|  fragment offset  |
    /// |  TTL  | protocol  |         header checksum           |
    /// |                 source / destination                  |
    /// ```
    /// `fragmentOffset` is in 8-byte units; `totalLength` defaults to the real length.
    static func ipv4(
        src: String, dst: String, proto: UInt8, id: Int = 0x1234, ttl: UInt8 = 64, df: Bool = false, mf: Bool = false,
        fragmentOffset: Int = 0, totalLength: Int? = nil, _ payload: [UInt8]
    ) -> [UInt8] {
        var h: [UInt8] = [0x45, 0]
        h.u16(totalLength ?? (20 + payload.count))
        h.u16(id)
        h.u16((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | fragmentOffset)
        h.append(ttl); h.append(proto)
        h.u16(0)
        h += ip4(src) + ip4(dst)
        var sum = 0
        for i in stride(from: 0, to: 20, by: 2) { sum += Int(h[i]) << 8 | Int(h[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        let checksum = ~sum & 0xFFFF
        h[10] = UInt8(checksum >> 8); h[11] = UInt8(checksum & 0xFF)
        return h + payload
    }

    /// Splits an IPv4 packet's payload into fragments of at most `firstPayload` bytes
    /// (a multiple of 8) for the first one and the rest in the second, as a router would.
    static func ipv4Fragments(src: String, dst: String, proto: UInt8, id: Int, ttl: UInt8 = 64, firstPayload: Int, _ payload: [UInt8]) -> [[UInt8]] {
        precondition(firstPayload % 8 == 0 && firstPayload < payload.count)
        return [
            ipv4(src: src, dst: dst, proto: proto, id: id, ttl: ttl, mf: true, fragmentOffset: 0, Array(payload[..<firstPayload])),
            ipv4(src: src, dst: dst, proto: proto, id: id, ttl: ttl, mf: false, fragmentOffset: firstPayload / 8, Array(payload[firstPayload...])),
        ]
    }

    // MARK: transport

    /// UDP (RFC 768): ports, length (header + payload), checksum 0 (none).
    static func udp(sp: Int, dp: Int, _ payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = []
        b.u16(sp); b.u16(dp); b.u16(8 + payload.count); b.u16(0)
        return b + payload
    }

    /// TCP (RFC 9293), 20-byte header, no options, window 64240.
    static func tcp(sp: Int, dp: Int, seq: UInt32, ack: UInt32 = 0, flags: TCPFlags, options: [UInt8] = [], _ payload: [UInt8] = []) -> [UInt8] {
        precondition(options.count % 4 == 0)
        var b: [UInt8] = []
        b.u16(sp); b.u16(dp); b.u32(seq); b.u32(ack)
        b.append(UInt8(5 + options.count / 4) << 4); b.append(flags.rawValue)
        b.u16(64240); b.u16(0); b.u16(0)
        return b + options + payload
    }

    /// ICMP echo request (8) or reply (0): type, code, checksum, identifier, sequence, data.
    static func icmpEcho(type: UInt8 = 8, id: Int, seq: Int, _ data: [UInt8] = Array(repeating: 0x61, count: 32)) -> [UInt8] {
        var b: [UInt8] = [type, 0, 0, 0]
        b.u16(id); b.u16(seq)
        return b + data
    }

    /// An ICMP error (type 3 unreachable, 5 redirect, 11 time exceeded): type, code, checksum,
    /// 4 bytes of rest (the next-hop MTU in the low 16 bits for fragmentation-needed), then the
    /// quoted packet: its IP header and the first 8 bytes of its payload (RFC 792).
    static func icmpError(type: UInt8, code: UInt8, rest: UInt32 = 0, quoting packet: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [type, code, 0, 0]
        b.u32(rest)
        return b + Array(packet.prefix(28))
    }

    // MARK: tunnels

    /// VXLAN (RFC 7348): flags 0x08 (VNI valid), 3 reserved, 24-bit VNI, 1 reserved, then the inner Ethernet frame.
    static func vxlan(vni: UInt32, _ innerEthernet: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0x08, 0, 0, 0]
        b.u32(vni << 8)
        return b + innerEthernet
    }

    /// A whole VXLAN frame: outer Ethernet + IPv4 + UDP (to `port`) + VXLAN + inner Ethernet.
    static func vxlanFrame(
        outerSrc: String = Addr.host1, outerDst: String = Addr.host2, srcMAC: String = Addr.host1MAC, dstMAC: String = Addr.host2MAC,
        vni: UInt32 = 1, port: Int = 8472, id: Int = 0x0101, _ innerEthernet: [UInt8]
    ) -> [UInt8] {
        eth(srcMAC, dstMAC, ipv4(src: outerSrc, dst: outerDst, proto: 17, id: id, udp(sp: 40001, dp: port, vxlan(vni: vni, innerEthernet))))
    }

    // MARK: BGP (RFC 4271): 16-byte marker of 0xFF, 2-byte length, 1-byte type.

    static func bgpMessage(type: UInt8, _ body: [UInt8]) -> [UInt8] {
        var b = [UInt8](repeating: 0xFF, count: 16)
        b.u16(19 + body.count)
        b.append(type)
        return b + body
    }

    /// OPEN: version 4, my AS (2 bytes), hold time, BGP identifier, no optional parameters.
    static func bgpOpen(asn: Int, holdTime: Int, identifier: String) -> [UInt8] {
        var b: [UInt8] = [4]
        b.u16(asn); b.u16(holdTime)
        b += ip4(identifier)
        b.append(0)
        return bgpMessage(type: 1, b)
    }

    /// `"192.168.10.0/24"` as an NLRI entry: length in bits, then the prefix's significant bytes.
    static func nlri(_ text: String) -> [UInt8] {
        let parts = text.split(separator: "/")
        let bits = Int(parts[1])!
        return [UInt8(bits)] + ip4(String(parts[0])).prefix((bits + 7) / 8)
    }

    /// UPDATE: withdrawn routes, then ORIGIN (IGP), AS_PATH (one AS_SEQUENCE of 2-byte ASes)
    /// and NEXT_HOP when something is announced, then the NLRI.
    /// `originatorID` adds ORIGINATOR_ID (RFC 4456: optional, non-transitive, type 9).
    static func bgpUpdate(withdrawn: [String] = [], announce: [String] = [], nextHop: String? = nil, asPath: [Int] = [], originatorID: String? = nil) -> [UInt8] {
        let withdrawnBytes = withdrawn.flatMap(nlri)
        var attributes: [UInt8] = []
        if !announce.isEmpty {
            attributes += [0x40, 1, 1, 0]  // ORIGIN IGP
            var path: [UInt8] = []
            if !asPath.isEmpty {
                path = [2, UInt8(asPath.count)]
                for a in asPath { path.u16(a) }
            }
            attributes += [0x40, 2, UInt8(path.count)] + path
            if let nextHop { attributes += [0x40, 3, 4] + ip4(nextHop) }
            if let originatorID { attributes += [0x80, 9, 4] + ip4(originatorID) }
        }
        var b: [UInt8] = []
        b.u16(withdrawnBytes.count); b += withdrawnBytes
        b.u16(attributes.count); b += attributes
        b += announce.flatMap(nlri)
        return bgpMessage(type: 2, b)
    }

    /// NOTIFICATION: error code, subcode, no data.
    static func bgpNotification(code: UInt8, subcode: UInt8) -> [UInt8] { bgpMessage(type: 3, [code, subcode]) }

    static func bgpKeepalive() -> [UInt8] { bgpMessage(type: 4, []) }

    // MARK: OSPFv2 (RFC 2328 A.3)

    /// The 24-byte OSPFv2 header (version 2, type, length, router id, area, checksum 0, no authentication) + body.
    static func ospf(type: UInt8, routerID: String, area: String = "0.0.0.0", _ body: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [2, type]
        b.u16(24 + body.count)
        b += ip4(routerID) + ip4(area)
        b.u16(0); b.u16(0)
        b += [UInt8](repeating: 0, count: 8)
        return b + body
    }

    /// Hello: network mask, hello interval, options (E), priority 1, dead interval, DR, BDR, neighbours.
    static func ospfHello(routerID: String, area: String = "0.0.0.0", mask: String = "255.255.255.0", hello: Int = 10, dead: UInt32 = 40, neighbours: [String] = [], dr: String = "0.0.0.0", bdr: String = "0.0.0.0") -> [UInt8] {
        var b = ip4(mask)
        b.u16(hello); b.append(0x02); b.append(1)
        b.u32(dead)
        b += ip4(dr) + ip4(bdr)
        for n in neighbours { b += ip4(n) }
        return ospf(type: 1, routerID: routerID, area: area, b)
    }

    /// Database Description: interface MTU, options (E), flags I|M|MS, DD sequence number, no LSA headers.
    static func ospfDBD(routerID: String, area: String = "0.0.0.0", mtu: Int = 1500, sequence: UInt32 = 1) -> [UInt8] {
        var b: [UInt8] = []
        b.u16(mtu); b.append(0x02); b.append(0x07)
        b.u32(sequence)
        return ospf(type: 2, routerID: routerID, area: area, b)
    }

    /// Link State Update with one LSA: its 20-byte header (age 1, options E) and `body`
    /// (RFC 2328 A.4.1), e.g. a type-5 AS-external `mask + E|metric + forwarding + tag`.
    static func ospfLSU(routerID: String, lsaType: UInt8, linkStateID: String, advertisingRouter: String, _ body: [UInt8]) -> [UInt8] {
        var lsa: [UInt8] = []
        lsa.u16(1); lsa.append(0x02); lsa.append(lsaType)
        lsa += ip4(linkStateID) + ip4(advertisingRouter)
        lsa.u32(0x8000_0001); lsa.u16(0); lsa.u16(20 + body.count)
        var b: [UInt8] = []
        b.u32(1)
        return ospf(type: 4, routerID: routerID, b + lsa + body)
    }

    /// An OSPF packet from `src` to AllSPFRouters (224.0.0.5), TTL 1, on Ethernet.
    static func ospfFrame(src: String, srcMAC: String, _ ospf: [UInt8]) -> [UInt8] {
        ethernet(src: srcMAC, dst: "01:00:5e:00:00:05", ipv4(src: src, dst: "224.0.0.5", proto: 89, ttl: 1, ospf))
    }
}

/// One TCP connection's two directions, numbering sequence and acknowledgement as they go,
/// so that a BGP session can be laid out segment by segment.
struct TCPConversation {
    var client: (ip: String, mac: String, port: Int)
    var server: (ip: String, mac: String, port: Int)
    var clientSeq: UInt32 = 1_000_000
    var serverSeq: UInt32 = 2_000_000

    init(client: (String, String, Int), server: (String, String, Int)) {
        self.client = (client.0, client.1, client.2)
        self.server = (server.0, server.1, server.2)
    }

    /// SYN, SYN-ACK, ACK.
    mutating func handshake() -> [[UInt8]] {
        let syn = frame(fromClient: true, flags: .syn, [])
        clientSeq &+= 1
        let synAck = frame(fromClient: false, flags: [.syn, .ack], [])
        serverSeq &+= 1
        let ack = frame(fromClient: true, flags: .ack, [])
        return [syn, synAck, ack]
    }

    /// One data segment (PSH|ACK) from one side.
    mutating func send(fromClient: Bool, _ payload: [UInt8]) -> [UInt8] {
        let f = frame(fromClient: fromClient, flags: [.psh, .ack], payload)
        if fromClient { clientSeq &+= UInt32(payload.count) } else { serverSeq &+= UInt32(payload.count) }
        return f
    }

    func frame(fromClient: Bool, flags: TCPFlags, _ payload: [UInt8]) -> [UInt8] {
        let (a, b) = fromClient ? (client, server) : (server, client)
        let seq = fromClient ? clientSeq : serverSeq
        let ack = flags.contains(.ack) ? (fromClient ? serverSeq : clientSeq) : 0
        return Frame.eth(a.mac, b.mac, Frame.ipv4(
            src: a.ip, dst: b.ip, proto: 6, id: Int(seq & 0xFFFF), ttl: 1,
            Frame.tcp(sp: a.port, dp: b.port, seq: seq, ack: ack, flags: flags, payload)))
    }
}

// MARK: common packets of the tests

extension Frame {
    /// The TCP MD5 signature option (kind 19, length 18, RFC 2385) padded with two NOPs.
    static let tcpMD5Option: [UInt8] = [19, 18] + [UInt8](repeating: 0xAB, count: 16) + [1, 1]

    /// A SYN from host1 to host2's port 179, with or without the MD5 option.
    static func bgpSYN(md5: Bool, seq: UInt32 = 1000) -> [UInt8] {
        eth(Addr.host1MAC, Addr.host2MAC, ipv4(
            src: Addr.host1, dst: Addr.host2, proto: 6, id: Int(seq & 0xFFFF), ttl: 1,
            tcp(sp: 50000, dp: 179, seq: seq, flags: .syn, options: md5 ? tcpMD5Option : [])))
    }
}

extension Frame {
    /// An HTTP request's first bytes: a recognisable TCP payload.
    static let httpRequest = Array("GET / HTTP/1.1\r\nHost: web\r\n\r\n".utf8)

    /// An IPv4 packet carrying a TCP segment.
    static func tcpPacket(
        _ src: String, _ sp: Int, _ dst: String, _ dp: Int, id: Int = 0x04d2, ttl: UInt8 = 64, seq: UInt32 = 1000, ack: UInt32 = 0,
        flags: TCPFlags = [.psh, .ack], payload: [UInt8] = Frame.httpRequest
    ) -> [UInt8] {
        ipv4(src: src, dst: dst, proto: 6, id: id, ttl: ttl, df: true, tcp(sp: sp, dp: dp, seq: seq, ack: ack, flags: flags, payload))
    }

    /// An IPv4 packet carrying a UDP datagram.
    static func udpPacket(_ src: String, _ sp: Int, _ dst: String, _ dp: Int, id: Int = 0x0777, ttl: UInt8 = 64, payload: [UInt8] = Array(repeating: 0x42, count: 32)) -> [UInt8] {
        ipv4(src: src, dst: dst, proto: 17, id: id, ttl: ttl, udp(sp: sp, dp: dp, payload))
    }
}
