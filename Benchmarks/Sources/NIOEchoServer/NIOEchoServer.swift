// NIOEchoServer: the floor against which Bastion's OpenC2 Consumer is measured.
//
//     NIOEchoServer --pki DIR [--port 8444] [--host 127.0.0.1]
//
// A bare SwiftNIO + NIOSSL HTTP/1.1 server with the Consumer's TLS policy
// (`TLSPolicy.server(...)` from OpenC2HTTPS: TLS 1.2 minimum, AEAD ECDHE suites, client certificate
// required and verified against DIR/ca.pem) that answers every request, once its body has arrived,
// with the reply a Bastion Consumer gives to `query features` [versions, profiles] in the v1.1
// envelope: the same headers (Content-Type, Date, Cache-Control, X-Request-ID, Content-Length,
// Server) and a body encoded once at start-up by Bastion's own ConsumerExchange, into which only
// the request's X-Request-ID is spliced (so that `bastion bench consumer` and Producers correlate
// it). No routing, no parsing of the body, no validation, no logging, no handler: what is left is
// TCP, TLS and HTTP/1.1 framing in NIO, i.e. what any Consumer built on NIOSSL pays at least.
//
// DIR is a development PKI as `bastion serve --dir DIR` or `bastion certs init DIR` makes it
// (server.pem, server-key.pem, ca.pem, client.pem). On SIGINT or SIGTERM it prints the numbers of
// connections accepted, TLS handshakes completed and requests answered, and exits.
import BastionPKI
import Dispatch
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: Arguments

struct Arguments {
    var host = "127.0.0.1"
    var port = 8444
    var pki = ""

    static func parse(_ arguments: [String]) -> Arguments {
        var parsed = Arguments()
        var iterator = arguments.dropFirst().makeIterator()
        func value(for option: String) -> String {
            guard let value = iterator.next() else { fail("\(option) needs a value") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--host": parsed.host = value(for: argument)
            case "--port":
                guard let port = Int(value(for: argument)), (0...65535).contains(port) else { fail("--port must be 0…65535") }
                parsed.port = port
            case "--pki": parsed.pki = value(for: argument)
            case "-h", "--help":
                print("usage: NIOEchoServer --pki DIR [--port 8444] [--host 127.0.0.1]")
                exit(0)
            default: fail("unknown argument \(argument)")
            }
        }
        if parsed.pki.isEmpty { fail("--pki DIR is required (a directory made by `bastion serve --dir DIR` or `bastion certs init DIR`)") }
        return parsed
    }
}

func fail(_ message: String) -> Never {
    FileHandleError.write("NIOEchoServer: \(message)\n")
    exit(2)
}

enum FileHandleError {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = systemWrite(2, bytes.baseAddress, bytes.count) }
    }
}

#if canImport(Glibc)
let systemWrite = Glibc.write
#elseif canImport(Darwin)
let systemWrite = Darwin.write
#endif

// MARK: The reply, made once

/// Bastion's reply to `query features` [versions, profiles], cut around the request id.
struct ReplyTemplate: Sendable {
    /// Response headers without Date, X-Request-ID and Content-Length, which vary.
    let fixedHeaders: [(String, String)]
    let bodyPrefix: [UInt8]
    let bodySuffix: [UInt8]

    /// Asks a real ConsumerExchange (with the QueryFeaturesHandler `bastion serve` uses) for its
    /// reply to a `query features` command from `peer`, with a marker as request id.
    static func make(peer: String?) async -> ReplyTemplate {
        let marker = "00000000-0000-4000-8000-00000000cafe"
        let request = #"{"headers":{"request_id":"\#(marker)","created":1795435897470},"body":{"openc2":{"request":{"action":"query","target":{"features":["versions","profiles"]}}}}}"#
        var configuration = ConsumerExchange.Configuration()
        configuration.profiles = [SLPFProfile()]
        let exchange = ConsumerExchange(configuration: configuration, handler: QueryFeaturesHandler(), runInBackground: { _ in })
        let reply = await exchange.respond(to: ConsumerRequest(
            method: "POST", path: configuration.path, contentType: WireFormat.v1_1.requestContentType,
            requestIDHeader: marker, body: Array(request.utf8), peer: peer
        ))
        guard reply.status == 200 else { fail("the exchange answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))") }
        let body = reply.body
        let markerBytes = Array(marker.utf8)
        var prefix = body, suffix: [UInt8] = []
        if let start = body.indices.first(where: { body[$0...].starts(with: markerBytes) }) {
            prefix = Array(body[..<start])
            suffix = Array(body[(start + markerBytes.count)...])
        }
        let fixed = reply.headers.filter { !["date", "x-request-id"].contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        return ReplyTemplate(fixedHeaders: fixed + [("Server", "Bastion")], bodyPrefix: prefix, bodySuffix: suffix)
    }
}

// MARK: Counters

final class Counters: Sendable {
    let connections = Atomic(0)
    let handshakes = Atomic(0)
    let requests = Atomic(0)

    static let shared = Counters()

    var summary: String {
        "\(connections.load(ordering: .relaxed)) connections accepted, \(handshakes.load(ordering: .relaxed)) TLS handshakes completed, \(requests.load(ordering: .relaxed)) requests answered"
    }
}

// MARK: Handlers

/// Counts completed TLS handshakes.
final class HandshakeCounter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            Counters.shared.handshakes.add(1, ordering: .relaxed)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Answers every request with the template once the request has been read whole.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let template: ReplyTemplate
    private var requestID = ""
    private var keepAlive = true
    private var dateSecond = -1
    private var date = ""

    init(template: ReplyTemplate) {
        self.template = template
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            requestID = head.headers.first(name: "X-Request-ID") ?? ""
            keepAlive = head.isKeepAlive
        case .body:
            break
        case .end:
            respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        let now = Int(time(nil))
        if now != dateSecond {
            dateSecond = now
            date = HTTPDate.string(secondsSince1970: now)
        }
        var body = context.channel.allocator.buffer(capacity: template.bodyPrefix.count + requestID.utf8.count + template.bodySuffix.count)
        body.writeBytes(template.bodyPrefix)
        body.writeString(requestID)
        body.writeBytes(template.bodySuffix)

        var headers = HTTPHeaders()
        for (index, (name, value)) in template.fixedHeaders.enumerated() {
            headers.add(name: name, value: value)
            if index == 0 { headers.add(name: "Date", value: date) }
        }
        if !requestID.isEmpty { headers.add(name: "X-Request-ID", value: requestID) }
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.add(name: "Connection", value: "close") }

        Counters.shared.requests.add(1, ordering: .relaxed)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

// MARK: Main

@main
enum NIOEchoServer {
    static func main() async {
        let arguments = Arguments.parse(CommandLine.arguments)
        let pki = arguments.pki
        func path(_ file: DevelopmentPKI.File) -> String { file.path(inDirectory: pki) }

        let sslContext: NIOSSLContext
        do {
            let tls = try TLSPolicy.server(certificatePath: path(.serverCertificate), keyPath: path(.serverPrivateKey), clientCAPath: path(.caCertificate))
            sslContext = try NIOSSLContext(configuration: tls)
        } catch {
            fail("\(error)")
        }

        // The `to` of the reply is the Producer's identity, as the Consumer takes it from the client
        // certificate: the development PKI's client.pem.
        let clientDER = try? NIOSSLCertificate.fromPEMFile(path(.clientCertificate)).first?.toDERBytes()
        let template = await ReplyTemplate.make(peer: clientDER.flatMap { PeerIdentity.identity(fromDER: $0) })

        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                Counters.shared.connections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    try channel.pipeline.syncOperations.addHandler(HandshakeCounter())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(template: template))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: arguments.host, port: arguments.port).get()
        } catch {
            fail("cannot listen on \(arguments.host):\(arguments.port): \(error)")
        }

        // SIGINT / SIGTERM: print what was served and exit.
        let stop = AsyncStream<Void>.makeStream()
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { @Sendable in stop.continuation.yield() }
            source.resume()
            sources.append(source)
        }

        let port = channel.localAddress?.port ?? arguments.port
        let size = template.bodyPrefix.count + template.bodySuffix.count
        print("NIOEchoServer listening on https://\(arguments.host):\(port)/.well-known/openc2 (mutual TLS, PKI \(pki)); reply body \(size) bytes + request id")
        fflush(nil)
        for await _ in stop.stream { break }
        print("NIOEchoServer: \(Counters.shared.summary)")
        fflush(nil)
        try? await channel.close()
        sources.forEach { $0.cancel() }
    }
}
