import NIOCore

/// Caps the connections a server holds open: at most `maximum` in all, and at most
/// `maximumPerAddress` from one IP address.
///
/// At the global limit it stops accepting (further clients wait in the listen backlog) and
/// accepts again as soon as one closes. A connection over its address's limit is closed at once,
/// so that one source flooding the server with idle connections cannot keep others out. It sits
/// in the server channel's pipeline, where accepted connections are read.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let maximum: Int
    private let maximumPerAddress: Int
    private let events: ServerEvents
    private var open = 0
    private var openByAddress: [String: Int] = [:]

    init(maximum: Int, maximumPerAddress: Int, events: ServerEvents) {
        self.maximum = max(1, maximum)
        self.maximumPerAddress = max(1, maximumPerAddress)
        self.events = events
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let connection = unwrapInboundIn(data)
        let address = connection.remoteAddress?.ipAddress ?? ""
        let fromAddress = openByAddress[address, default: 0]
        guard fromAddress < maximumPerAddress else {
            events.refused(reason: "per_address_limit", address: address)
            connection.close(promise: nil)
            return
        }
        openByAddress[address] = fromAddress + 1
        open += 1
        events.connectionOpened()
        if open == maximum {
            events.refused(reason: "global_limit", address: address)
            setAccepting(false, context: context)
        }
        connection.closeFuture.hop(to: context.eventLoop).assumeIsolated().whenComplete { _ in
            self.events.connectionClosed()
            self.open -= 1
            let remaining = (self.openByAddress[address] ?? 1) - 1
            self.openByAddress[address] = remaining > 0 ? remaining : nil
            if self.open == self.maximum - 1 { self.setAccepting(true, context: context) }
        }
        context.fireChannelRead(data)
    }

    private func setAccepting(_ accepting: Bool, context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(.autoRead, value: accepting)
        if accepting { context.read() }
    }
}
