// The HTTP side of `crosswire watch`, on SwiftNIO's HTTP/1 codec:
// /metrics, /verdict, /report and /healthz. The watch loop publishes each
// window verdict into a WatchSnapshot; requests only read it, so a slow
// scraper never holds up the capture.

import CrosswireReport
import CrosswireVerdict
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the server shows: the newest window verdict, and whether the capture is alive.
public final class WatchSnapshot: Sendable {
    private struct State {
        var verdict: Verdict?
        var healthy = true
        var problem: String?
    }
    private let state = Mutex(State())
    public let metrics: WatchMetrics

    public init(metrics: WatchMetrics) { self.metrics = metrics }

    public func publish(_ verdict: Verdict) { state.withLock { $0.verdict = verdict } }

    /// Marks the watch unhealthy (an interface stopped): /healthz answers 503 with `problem`.
    public func setProblem(_ problem: String?) { state.withLock { $0.problem = problem; $0.healthy = problem == nil } }

    public var verdict: Verdict? { state.withLock { $0.verdict } }

    /// The answer to one request: status, content type, body.
    public func respond(method: HTTPMethod, path: String, accept: String?) -> (HTTPResponseStatus, String, [UInt8]) {
        guard method == .GET || method == .HEAD else { return (.methodNotAllowed, "text/plain; charset=utf-8", Array("GET only\n".utf8)) }
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        switch route {
        case "/metrics":
            if OpenMetrics.wanted(accept: accept) {
                return (.ok, OpenMetrics.contentType, Array(metrics.openMetricsText().utf8))
            }
            return (.ok, OpenMetrics.prometheusContentType, Array(metrics.prometheusText().utf8))
        case "/healthz":
            let (healthy, problem, ready) = state.withLock { ($0.healthy, $0.problem, $0.verdict != nil) }
            if !healthy { return (.serviceUnavailable, "text/plain; charset=utf-8", Array("unhealthy: \(problem ?? "?")\n".utf8)) }
            if !ready { return (.serviceUnavailable, "text/plain; charset=utf-8", Array("starting: no verdict yet\n".utf8)) }
            return (.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
        case "/verdict", "/report":
            guard let verdict else { return (.serviceUnavailable, "text/plain; charset=utf-8", Array("no verdict yet\n".utf8)) }
            if route == "/report" { return (.ok, "text/html; charset=utf-8", Array(HTMLReport.render(verdict).utf8)) }
            guard let data = try? verdict.jsonData() else { return (.internalServerError, "text/plain; charset=utf-8", Array("cannot encode\n".utf8)) }
            return (.ok, "application/json", Array(data))
        case "/":
            let index = "crosswire watch: /metrics /verdict /report /healthz\n"
            return (.ok, "text/plain; charset=utf-8", Array(index.utf8))
        default:
            return (.notFound, "text/plain; charset=utf-8", Array("not found\n".utf8))
        }
    }
}

/// One HTTP/1 connection: a response per request head, from the snapshot.
final class WatchHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let snapshot: WatchSnapshot

    init(snapshot: WatchSnapshot) { self.snapshot = snapshot }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let (status, type, body) = snapshot.respond(method: head.method, path: head.uri, accept: head.headers.first(name: "accept"))
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        let keepAlive = head.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The listening server: one event-loop thread, bound to `host:port`.
public final class WatchServer {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// The bound address (the port is the real one when 0 was asked).
    public var localAddress: String {
        guard let a = channel.localAddress else { return "?" }
        return "\(a.ipAddress ?? "?"):\(a.port ?? 0)"
    }

    /// Binds and starts serving; throws when the address cannot be bound.
    public init(host: String, port: Int, snapshot: WatchSnapshot) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline(withErrorHandling: true).flatMap {
                    channel.pipeline.addHandler(WatchHTTPHandler(snapshot: snapshot))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Stops listening and ends the event-loop thread.
    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}
