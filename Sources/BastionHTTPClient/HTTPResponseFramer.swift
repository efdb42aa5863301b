import NIOCore

/// Cuts HTTP/1.1 responses out of the bytes a client connection reads, keeping only what a load
/// generator looks at: the status, whether the connection stays open, and the body.
///
/// ```swift
/// var framer = HTTPResponseFramer()
/// // in channelRead, with `unread` holding the bytes read so far:
/// while let response = try framer.next(from: &unread) {
///     print(response.status, response.body.readableBytes, response.keepAlive)
/// }
/// ```
///
/// It reads the status line and the three headers that frame a message (`Content-Length`,
/// `Transfer-Encoding`, `Connection`) in place, without building a header list, and hands a body
/// that arrived in one piece on as a slice of the bytes read. Framing follows RFC 9112 §6.3: no
/// body after a `HEAD` request or with a 1xx, 204 or 304 status; a chunked body when the last
/// transfer coding is `chunked`; else `Content-Length` bytes; else everything until the server
/// closes the connection. Interim (1xx) responses are skipped. What it cannot frame safely (a
/// malformed status line or chunk size, two different lengths, a length that overflows, a head
/// over 64 KiB) is an error: the connection's figures would mean nothing.
public struct HTTPResponseFramer: Sendable {
    /// One complete response.
    public struct Response: Sendable {
        /// The status code, e.g. 200.
        public var status: Int
        /// The connection may carry another request.
        public var keepAlive: Bool
        /// The body, chunked transfer coding removed.
        public var body: ByteBuffer
    }

    /// Bytes that are not an HTTP/1.x response, e.g. `a Content-Length too large`.
    public struct Malformed: Error, CustomStringConvertible, Sendable, Equatable {
        public let description: String
    }

    /// The largest response head read (and the longest chunk-size or trailer line).
    public static let maximumHeadSize = 64 * 1024

    /// A framer at the start of a connection.
    public init() {}

    private enum State {
        /// Waiting for a status line and headers; `searched` bytes are known to hold no blank line.
        case head(searched: Int)
        /// A body of `remaining` more bytes.
        case sized(status: Int, keepAlive: Bool, remaining: Int)
        /// A chunked body: the chunks so far, and where the decoder stands.
        case chunked(status: Int, keepAlive: Bool, body: ByteBuffer, step: ChunkStep)
        /// A body that ends when the server closes the connection.
        case untilClose(status: Int, body: ByteBuffer)
    }

    private enum ChunkStep {
        /// Expecting a chunk-size line.
        case size
        /// Inside a chunk: `remaining` data bytes, then CRLF.
        case data(remaining: Int)
        /// After the last chunk: trailer lines up to a blank one.
        case trailers
    }

    private var state = State.head(searched: 0)

    /// The next complete response at the front of `buffer`, its bytes consumed; `nil` when more
    /// bytes are needed. `afterHEAD` says the request was a `HEAD`, whose reply has no body.
    public mutating func next(from buffer: inout ByteBuffer, afterHEAD: Bool = false) throws(Malformed) -> Response? {
        while true {
            switch state {
            case .head(let searched):
                guard let headLength = Self.headLength(in: buffer, searchedAlready: searched) else {
                    guard buffer.readableBytes <= Self.maximumHeadSize else { throw Malformed(description: "a response head over \(Self.maximumHeadSize) bytes") }
                    state = .head(searched: max(0, buffer.readableBytes - 3))
                    return nil
                }
                let head = try buffer.withUnsafeReadableBytes { bytes throws(Malformed) in try Head(UnsafeRawBufferPointer(rebasing: bytes[..<headLength])) }
                buffer.moveReaderIndex(forwardBy: headLength)
                if (100..<200).contains(head.status) {
                    state = .head(searched: 0)
                    continue
                }
                if afterHEAD || head.status == 204 || head.status == 304 {
                    state = .head(searched: 0)
                    return Response(status: head.status, keepAlive: head.keepAlive, body: ByteBuffer())
                }
                if head.chunked {
                    state = .chunked(status: head.status, keepAlive: head.keepAlive, body: ByteBuffer(), step: .size)
                } else if let length = head.contentLength {
                    state = .sized(status: head.status, keepAlive: head.keepAlive, remaining: length)
                } else {
                    state = .untilClose(status: head.status, body: ByteBuffer())
                }
            case .sized(let status, let keepAlive, let remaining):
                guard let body = buffer.readSlice(length: remaining) else { return nil }
                state = .head(searched: 0)
                return Response(status: status, keepAlive: keepAlive, body: body)
            case .chunked(let status, let keepAlive, var body, let step):
                state = .head(searched: 0)  // lets `body` grow in place
                let (nextStep, complete) = try Self.readChunks(from: &buffer, into: &body, step: step)
                if complete { return Response(status: status, keepAlive: keepAlive, body: body) }
                state = .chunked(status: status, keepAlive: keepAlive, body: body, step: nextStep)
                return nil
            case .untilClose(let status, var body):
                state = .head(searched: 0)
                body.writeBuffer(&buffer)
                state = .untilClose(status: status, body: body)
                return nil
            }
        }
    }

    /// The response the connection's close completes (one whose body runs until the close), if any.
    public mutating func connectionClosed() -> Response? {
        guard case .untilClose(let status, let body) = state else { return nil }
        state = .head(searched: 0)
        return Response(status: status, keepAlive: false, body: body)
    }

    /// The length of the head at the front of `buffer`, blank line included; `nil` if it is not all there.
    private static func headLength(in buffer: ByteBuffer, searchedAlready: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            var index = searchedAlready
            while index + 3 < bytes.count {
                if bytes[index + 3] != 0x0A {
                    index += 1
                } else if bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D {
                    return index + 4
                } else {
                    index += 1
                }
            }
            return nil
        }
    }

    /// Decodes chunks from `buffer` into `body`; says where it stopped and whether the body is complete.
    private static func readChunks(from buffer: inout ByteBuffer, into body: inout ByteBuffer, step: ChunkStep) throws(Malformed) -> (ChunkStep, Bool) {
        var step = step
        while true {
            switch step {
            case .size:
                guard let line = try readLine(from: &buffer) else { return (step, false) }
                let size = try chunkSize(line)
                step = size == 0 ? .trailers : .data(remaining: size)
            case .data(let remaining):
                guard buffer.readableBytes - 2 >= remaining else {
                    // Take what is there, keeping back what might be the CRLF.
                    let available = max(0, min(remaining, buffer.readableBytes))
                    if var part = buffer.readSlice(length: available) { body.writeBuffer(&part) }
                    return (.data(remaining: remaining - available), false)
                }
                var part = buffer.readSlice(length: remaining)!
                body.writeBuffer(&part)
                guard buffer.readBytes(length: 2) == [0x0D, 0x0A] else { throw Malformed(description: "a chunk not followed by CRLF") }
                step = .size
            case .trailers:
                guard let line = try readLine(from: &buffer) else { return (step, false) }
                if line.isEmpty { return (.size, true) }
            }
        }
    }

    /// The next CRLF-terminated line (without its CRLF), consumed; `nil` if it is not all there.
    private static func readLine(from buffer: inout ByteBuffer) throws(Malformed) -> [UInt8]? {
        let end = buffer.withUnsafeReadableBytes { bytes in
            bytes.indices.first { $0 + 1 < bytes.count && bytes[$0] == 0x0D && bytes[$0 + 1] == 0x0A }
        }
        guard let end else {
            guard buffer.readableBytes <= maximumHeadSize else { throw Malformed(description: "a chunk line over \(maximumHeadSize) bytes") }
            return nil
        }
        let line = buffer.readBytes(length: end)!
        buffer.moveReaderIndex(forwardBy: 2)
        return line
    }

    /// A chunk-size line's size (hexadecimal, extensions after `;` ignored), checked for overflow.
    private static func chunkSize(_ line: [UInt8]) throws(Malformed) -> Int {
        let digits = line.prefix { $0 != UInt8(ascii: ";") }.drop { $0 == 0x20 || $0 == 0x09 }.prefix { $0 != 0x20 && $0 != 0x09 }
        guard !digits.isEmpty else { throw Malformed(description: "an empty chunk size") }
        var size = 0
        for digit in digits {
            guard let value = hexValue(digit) else { throw Malformed(description: "a chunk size that is not hexadecimal") }
            let (shifted, overflow) = size.multipliedReportingOverflow(by: 16)
            guard !overflow, shifted <= Int.max - value else { throw Malformed(description: "a chunk size too large") }
            size = shifted + value
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// What a response head says about its framing.
    private struct Head {
        var status: Int
        var keepAlive: Bool
        var contentLength: Int?
        var chunked = false

        /// Reads `HTTP/1.x SSS reason` and the framing headers from a head ending in a blank line.
        init(_ bytes: UnsafeRawBufferPointer) throws(Malformed) {
            var lines = Lines(bytes)
            // "HTTP/1.1 200 OK": the head starts at offset 0, so offsets in it are indexes.
            guard let statusLine = lines.next(), statusLine.count >= 12, statusLine.starts(with: "HTTP/1.".utf8), statusLine[8] == 0x20,
                  statusLine[9...11].allSatisfy({ (0x30...0x39).contains($0) }),
                  statusLine.count == 12 || statusLine[12] == 0x20
            else { throw Malformed(description: "not an HTTP/1.x status line") }
            status = statusLine[9...11].reduce(0) { $0 * 10 + Int($1 - 0x30) }
            let http10 = statusLine[7] == UInt8(ascii: "0")
            var close = http10
            while let line = lines.next(), !line.isEmpty {
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw Malformed(description: "a header line without a colon") }
                let name = line[..<colon]
                let value = Self.trimmed(line[(colon + 1)...])
                if Self.matches(name, "content-length") {
                    var length = 0
                    for digit in value {
                        guard (0x30...0x39).contains(digit) else { throw Malformed(description: "a Content-Length that is not a number") }
                        let (shifted, overflow) = length.multipliedReportingOverflow(by: 10)
                        guard !overflow, shifted <= Int.max - Int(digit - 0x30) else { throw Malformed(description: "a Content-Length too large") }
                        length = shifted + Int(digit - 0x30)
                    }
                    guard !value.isEmpty, contentLength == nil || contentLength == length else { throw Malformed(description: "a missing or repeated Content-Length") }
                    contentLength = length
                } else if Self.matches(name, "transfer-encoding") {
                    chunked = value.split(separator: UInt8(ascii: ",")).last.map { Self.matches(Self.trimmed($0), "chunked") } ?? false
                } else if Self.matches(name, "connection") {
                    for token in value.split(separator: UInt8(ascii: ",")).map({ Self.trimmed($0) }) {
                        if Self.matches(token, "close") { close = true }
                        if Self.matches(token, "keep-alive") { close = false }
                    }
                }
            }
            keepAlive = !close
        }

        private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
            var bytes = bytes
            while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
            while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
            return bytes
        }

        /// Whether `bytes` spell `lowercase` in any case.
        private static func matches(_ bytes: Slice<UnsafeRawBufferPointer>, _ lowercase: StaticString) -> Bool {
            guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
            return zip(bytes, UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)).allSatisfy { byte, wanted in
                byte == wanted || (byte | 0x20 == wanted && (0x61...0x7A).contains(wanted))
            }
        }
    }

    /// The CRLF-separated lines of a head.
    private struct Lines {
        let bytes: UnsafeRawBufferPointer
        var start = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func next() -> Slice<UnsafeRawBufferPointer>? {
            var index = start
            while index + 1 < bytes.count {
                if bytes[index] == 0x0D, bytes[index + 1] == 0x0A {
                    defer { start = index + 2 }
                    return bytes[start..<index]
                }
                index += 1
            }
            return nil
        }
    }
}
