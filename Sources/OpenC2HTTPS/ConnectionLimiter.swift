import NIOCore

/// Caps the connections a server holds open at once: when `maximum` are open it stops
/// accepting (further clients wait in the listen backlog) and accepts again as soon as one
/// closes. It sits in the server channel's pipeline, where accepted connections are read.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let maximum: Int
    private var open = 0

    init(maximum: Int) {
        self.maximum = max(1, maximum)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        open += 1
        if open == maximum { setAccepting(false, context: context) }
        connection.closeFuture.hop(to: context.eventLoop).assumeIsolated().whenComplete { _ in
            self.open -= 1
            if self.open == self.maximum - 1 { self.setAccepting(true, context: context) }
        }
        context.fireChannelRead(data)
    }

    private func setAccepting(_ accepting: Bool, context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(.autoRead, value: accepting)
        if accepting { context.read() }
    }
}
