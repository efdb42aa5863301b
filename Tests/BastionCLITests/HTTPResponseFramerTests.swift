import BastionHTTPClient
import NIOCore
import Testing

@Suite("HTTPResponseFramer: the load generator's response framing")
struct HTTPResponseFramerTests {
    /// Feeds `wire` to a framer `pieceSize` bytes at a time and returns every response framed.
    func frame(_ wire: String, pieceSize: Int = .max, afterHEAD: Bool = false, closeAtEnd: Bool = false) throws -> [HTTPResponseFramer.Response] {
        var framer = HTTPResponseFramer()
        var unread = ByteBuffer()
        var responses: [HTTPResponseFramer.Response] = []
        let bytes = Array(wire.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = offset + min(pieceSize, bytes.count - offset)
            unread.writeBytes(bytes[offset..<end])
            offset = end
            while let response = try framer.next(from: &unread, afterHEAD: afterHEAD) { responses.append(response) }
        }
        if closeAtEnd, let response = framer.connectionClosed() { responses.append(response) }
        return responses
    }

    func body(_ response: HTTPResponseFramer.Response) -> String { String(buffer: response.body) }

    @Test("a Content-Length body, whole or a byte at a time; two responses back to back")
    func sized() throws {
        let wire = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"
        for pieceSize in [.max, 1, 7] {
            let responses = try frame(wire, pieceSize: pieceSize)
            #expect(responses.map(\.status) == [200, 404])
            #expect(responses.map(body) == ["hello", "no"])
            #expect(responses.map(\.keepAlive) == [true, true])
        }
    }

    @Test("a chunked body with extensions and trailers, split anywhere")
    func chunked() throws {
        let wire = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n5;name=x\r\nhello\r\n1A\r\n" + String(repeating: "z", count: 26)
            + "\r\n0\r\nX-Trailer: 1\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
        for pieceSize in [.max, 1, 3, 10] {
            let responses = try frame(wire, pieceSize: pieceSize)
            #expect(responses.map(\.status) == [200, 204])
            #expect(responses.map(body) == ["hello" + String(repeating: "z", count: 26), ""])
        }
    }

    @Test("interim 100 Continue skipped; HEAD, 204 and 304 have no body")
    func noBody() throws {
        let continued = try frame("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok")
        #expect(continued.map(\.status) == [201] && continued.map(body) == ["ok"])
        let head = try frame("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", afterHEAD: true)
        #expect(head.map(\.status) == [200] && head.map(body) == [""])
        let notModified = try frame("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        #expect(notModified.map(\.status) == [304, 200])
    }

    @Test("keep-alive: HTTP/1.1 unless Connection: close, HTTP/1.0 only with keep-alive")
    func keepAlive() throws {
        let heads = [
            "HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
        ]
        let keepAlive = try heads.map { try frame($0).map(\.keepAlive) }
        #expect(keepAlive == [[false], [false], [true]])
    }

    @Test("a body without length or chunking ends when the server closes the connection")
    func untilClose() throws {
        let open = try frame("HTTP/1.1 200 OK\r\n\r\npart one, part two")
        #expect(open.isEmpty)
        let closed = try frame("HTTP/1.1 200 OK\r\n\r\npart one, part two", pieceSize: 4, closeAtEnd: true)
        #expect(closed.map(body) == ["part one, part two"] && closed.map(\.keepAlive) == [false])
    }

    @Test("what cannot be framed safely is an error, not a guess or a crash", arguments: [
        "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\n\r\n",
        "SSH-2.0-OpenSSH\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "HTTP/1.1 200 OK\r\nNoColonHere\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY",
    ])
    func malformed(wire: String) {
        #expect(throws: HTTPResponseFramer.Malformed.self) { try frame(wire) }
    }

    @Test("a head that never ends is refused past 64 KiB")
    func endlessHead() {
        let wire = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 4_000)
        #expect(throws: HTTPResponseFramer.Malformed.self) { try frame(wire, pieceSize: 4096) }
    }

    @Test("a header name differing by a control character does not pass for Content-Length")
    func strictNames() throws {
        // 0x0D | 0x20 is "-": case folding must touch letters only.
        let responses = try frame("HTTP/1.1 200 OK\r\ncontent\rlength: 3\r\n\r\nabc", closeAtEnd: true)
        #expect(responses.map(body) == ["abc"] && responses.map(\.keepAlive) == [false])
    }
}
