// BGP control-plane events: what a BGP message means for the checks
// (`bgp.session`, `bgp.routes`), as small values delivered to a visitor.

/// What a BGP session negotiated in its OPENs, as far as decoding needs it.
/// `nil` means unknown (the capture began after the OPENs): the decoder then
/// guesses like tshark does.
public struct BGPSessionOptions: Sendable, BitwiseCopyable, Equatable {
    /// Both speakers announced the 4-octet AS capability: AS_PATH carries 4-byte ASNs.
    public var fourOctetAS: Bool?
    /// The sender of the messages includes ADD-PATH path ids in IPv4 / IPv6 unicast NLRI.
    public var addPathIPv4: Bool?
    public var addPathIPv6: Bool?

    public init(fourOctetAS: Bool? = nil, addPathIPv4: Bool? = nil, addPathIPv6: Bool? = nil) {
        self.fourOctetAS = fourOctetAS; self.addPathIPv4 = addPathIPv4; self.addPathIPv6 = addPathIPv6
    }

    public static let unknown = BGPSessionOptions()

    /// The options for messages sent by the speaker whose OPEN is `sender` to the one whose OPEN is `receiver`.
    public static func negotiated(sender: BGPCapabilitySet, receiver: BGPCapabilitySet) -> BGPSessionOptions {
        BGPSessionOptions(
            fourOctetAS: sender.contains(.fourOctetAS) && receiver.contains(.fourOctetAS),
            addPathIPv4: sender.contains(.addPathIPv4Send) && receiver.contains(.addPathIPv4Receive),
            addPathIPv6: sender.contains(.addPathIPv6Send) && receiver.contains(.addPathIPv6Receive))
    }
}

/// A route announced or withdrawn by an UPDATE.
public struct BGPRouteEvent: Sendable, BitwiseCopyable, Equatable {
    public enum Action: UInt8, Sendable, BitwiseCopyable { case announce, withdraw }
    public var action: Action
    public var prefix: IPPrefix
    /// The ADD-PATH path identifier, when the session uses ADD-PATH.
    public var pathID: UInt32?
    /// NEXT_HOP for IPv4 NLRI, the MP_REACH_NLRI next hop for its NLRI; nil for withdrawals.
    public var nextHop: IPAddress?
    /// The AS that originated the route (last AS of the AS_PATH, with AS4_PATH applied), nil when unknown.
    public var originAS: UInt32?
    /// The AS path length (AS_SET counts 1).
    public var pathLength: Int
    /// True when the prefix came from MP_REACH_NLRI / MP_UNREACH_NLRI.
    public var multiprotocol: Bool
    /// ORIGINATOR_ID (RFC 4456): the router id of the reflected route's originator; nil when not reflected.
    public var originatorID: IPv4Address? = nil
}

/// A BGP message's meaning.
public enum BGPEvent: Sendable, BitwiseCopyable, Equatable {
    case open(BGPOpenSummary)
    /// One per prefix of an UPDATE (withdrawn routes first, then NLRI, then MP_REACH, then MP_UNREACH).
    case route(BGPRouteEvent)
    /// An End-of-RIB marker (RFC 4724) for the address family.
    case endOfRIB(afi: UInt16, safi: UInt8)
    case notification(BGPNotification)
    case keepalive
    case routeRefresh(BGPRouteRefresh)
    /// A message of a type this decoder does not know.
    case unknown(type: UInt8, length: Int)
    /// The message could not be decoded (after any events it produced before the fault).
    case malformed(DecodeStop)
}

/// Turns BGP messages into events.
public enum BGPEventDecoder {
    /// Decodes the message whose header is at `offset` in `s` and visits its
    /// events. Never throws: a malformed message ends with a `.malformed` event.
    public static func decode(
        _ s: borrowing RawSpan, at offset: Int, options: BGPSessionOptions, _ visit: (BGPEvent) -> Void
    ) {
        do throws(DecodeStop) {
            let h = try BGPHeader.parse(s, at: offset)
            switch h.type {
            case .open: visit(.open(try BGPOpenSummary.parse(s, h)))
            case .update: try decodeUpdate(s, h, options: options, visit)
            case .notification: visit(.notification(try BGPNotification.parse(s, h)))
            case .keepalive: visit(.keepalive)
            case .routeRefresh: visit(.routeRefresh(try BGPRouteRefresh.parse(s, h)))
            default: visit(.unknown(type: h.type.rawValue, length: h.length))
            }
        } catch {
            visit(.malformed(error))
        }
    }

    /// The attributes of an UPDATE the route events need, gathered in one walk.
    struct UpdateAttributes {
        var nextHop: IPv4Address?
        var path = BGPASPathSummary.empty
        var path4: BGPASPathSummary?
        var mpReach: BGPMPReach?
        var mpUnreach: BGPMPUnreach?
        var originatorID: IPv4Address?
        var count = 0
    }

    static func gather(_ s: borrowing RawSpan, _ u: BGPUpdate, options: BGPSessionOptions) throws(DecodeStop) -> UpdateAttributes {
        var a = UpdateAttributes()
        var cursor = BGPAttributeCursor(u)
        while let attr = try cursor.next(s) {
            a.count += 1
            switch attr.type {
            case BGPAttributeType.nextHop:
                // Lenient like tshark: a NEXT_HOP of the wrong length is ignored, the NLRI still decoded.
                a.nextHop = try? attr.nextHop(in: s)
            case BGPAttributeType.asPath:
                let size = options.fourOctetAS.map { $0 ? 4 : 2 } ?? BGPASPathCursor.guessASSize(attr, in: s)
                a.path = try BGPASPathSummary.of(attr, asSize: size, in: s)
            case BGPAttributeType.as4Path: a.path4 = try BGPASPathSummary.of(attr, asSize: 4, in: s)
            // Lenient like NEXT_HOP: a wrong length loses the attribute, not the NLRI.
            case BGPAttributeType.originatorID: a.originatorID = try? attr.nextHop(in: s)  // also 4 bytes, an IPv4 router id
            case BGPAttributeType.mpReachNLRI: a.mpReach = try BGPMPReach.parse(s, attr)
            case BGPAttributeType.mpUnreachNLRI: a.mpUnreach = try BGPMPUnreach.parse(s, attr)
            default: break
            }
        }
        // RFC 6793 §4.2.3: a 2-byte path's AS_TRANS placeholders are replaced by AS4_PATH.
        if let p4 = a.path4, p4.length <= a.path.length, p4.originAS != nil { a.path.originAS = p4.originAS }
        return a
    }

    static func decodeUpdate(
        _ s: borrowing RawSpan, _ h: BGPHeader, options: BGPSessionOptions, _ visit: (BGPEvent) -> Void
    ) throws(DecodeStop) {
        let u = try BGPUpdate.parse(s, h)
        if u.isIPv4EndOfRIB {
            visit(.endOfRIB(afi: BGPAFI.ipv4, safi: BGPSAFI.unicast))
            return
        }
        let a = try gather(s, u, options: options)
        let origin = a.path.originAS, pathLength = a.path.length
        func route(_ action: BGPRouteEvent.Action, _ p: BGPPrefix, _ nextHop: IPAddress?, mp: Bool) -> BGPEvent {
            .route(BGPRouteEvent(action: action, prefix: p.prefix, pathID: p.pathID, nextHop: nextHop,
                                 originAS: action == .announce ? origin : nil,
                                 pathLength: action == .announce ? pathLength : 0, multiprotocol: mp,
                                 originatorID: action == .announce ? a.originatorID : nil))
        }
        let addPath4 = BGPPrefixCursor.usesAddPath(offset: u.withdrawnOffset, end: u.withdrawnEnd, isIPv6: false,
                                                   negotiated: options.addPathIPv4, in: s)
        var withdrawn = BGPPrefixCursor(offset: u.withdrawnOffset, end: u.withdrawnEnd, isIPv6: false, addPath: addPath4)
        while let p = try withdrawn.next(s) { visit(route(.withdraw, p, nil, mp: false)) }
        let addPathNLRI = BGPPrefixCursor.usesAddPath(offset: u.nlriOffset, end: u.nlriEnd, isIPv6: false,
                                                      negotiated: options.addPathIPv4, in: s)
        var nlri = BGPPrefixCursor(offset: u.nlriOffset, end: u.nlriEnd, isIPv6: false, addPath: addPathNLRI)
        let nh4 = a.nextHop.map { IPAddress.v4($0) }
        while let p = try nlri.next(s) { visit(route(.announce, p, nh4, mp: false)) }
        if let r = a.mpReach, r.hasPlainPrefixes {
            let negotiated = r.afi == BGPAFI.ipv6 ? options.addPathIPv6 : options.addPathIPv4
            let ap = BGPPrefixCursor.usesAddPath(offset: r.nlriOffset, end: r.nlriEnd, isIPv6: r.afi == BGPAFI.ipv6,
                                                 negotiated: negotiated, in: s)
            var c = r.prefixes(addPath: ap)
            while let p = try c.next(s) { visit(route(.announce, p, r.nextHop, mp: true)) }
        }
        if let w = a.mpUnreach {
            if w.withdrawnOffset == w.withdrawnEnd && a.count == 1 && u.withdrawnEnd == u.withdrawnOffset
                && u.nlriEnd == u.nlriOffset {
                // RFC 4724: an UPDATE with only an empty MP_UNREACH_NLRI is that family's End-of-RIB.
                visit(.endOfRIB(afi: w.afi, safi: w.safi))
            } else if w.hasPlainPrefixes {
                let negotiated = w.afi == BGPAFI.ipv6 ? options.addPathIPv6 : options.addPathIPv4
                let ap = BGPPrefixCursor.usesAddPath(offset: w.withdrawnOffset, end: w.withdrawnEnd,
                                                     isIPv6: w.afi == BGPAFI.ipv6, negotiated: negotiated, in: s)
                var c = w.prefixes(addPath: ap)
                while let p = try c.next(s) { visit(route(.withdraw, p, nil, mp: true)) }
            }
        }
    }
}
