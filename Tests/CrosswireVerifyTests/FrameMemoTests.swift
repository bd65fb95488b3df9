// What a frame's analysers share: the fingerprint NAT and delivery both match,
// worked out once per frame and level, and equal to working it out directly.

import CrosswireDecoder
@testable import CrosswireVerify
import Testing

@Suite struct FrameMemoTests {
    @Test func aFingerprintIsWorkedOutOncePerLevel() {
        let inner = Frame.eth(Addr.c1MAC, Addr.c2MAC, Frame.udpPacket(Addr.c1, 4000, Addr.c2, 53, id: 7))
        let bytes = Frame.vxlanFrame(inner)
        let decoder = PacketDecoder(options: DecoderOptions()), buffer = DecodedPacketBuffer()
        bytes.withUnsafeBytes { raw in
            let p = buffer.decode(raw.bytes, by: decoder, linkType: .ethernet, originalLength: raw.count)
            #expect(p.levelCount == 2)
            let outer = PacketFingerprint.of(p, level: 0, bytes: raw.bytes)
            let innermost = PacketFingerprint.of(p, level: 1, bytes: raw.bytes)
            #expect(outer != nil && innermost != nil && outer != innermost)
            var memo = FrameMemo()
            #expect(memo.fingerprint(p, level: 1, bytes: raw.bytes) == innermost)
            #expect(memo.fingerprint(p, level: 1, bytes: raw.bytes) == innermost, "asked again: the same")
            #expect(memo.fingerprint(p, level: 0, bytes: raw.bytes) == outer, "another level is worked out anew")
        }
    }
}
