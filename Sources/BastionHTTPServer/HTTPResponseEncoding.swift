import NIOCore
import NIOHTTP1

/// Puts a reply on the wire as HTTP/1.x frames it: status line, the responder's headers, the
/// framing headers the server owns, a blank line and the body, in one buffer (one write per
/// reply).
///
/// The server owns the framing: `Content-Length` is always the body's length, `Connection` says
/// `close` when the connection closes after the reply (and `keep-alive` to an HTTP/1.0 client
/// that keeps it), and such headers from the responder are dropped, as is `Transfer-Encoding`.
/// A header name must be an RFC 9110 token and a value must hold no control character other
/// than tab, so that no header can split the reply.
enum HTTPResponseEncoding {
    /// A responder's header that cannot be written, e.g. a value with a line feed.
    struct InvalidHeader: Error, CustomStringConvertible, Equatable {
        let name: String
        var description: String { "the response header \(name.debugDescription) has an invalid name or value" }
    }

    /// Appends `response` to `buffer`; with `includeBody` false (a reply to `HEAD`) its
    /// `Content-Length` is still the body's. Nothing is appended when a header is invalid.
    static func write(
        _ response: HTTPServerResponse, version: HTTPVersion, keepAlive: Bool, includeBody: Bool, into buffer: inout ByteBuffer
    ) throws(InvalidHeader) {
        for (name, value) in response.headers where !isValidName(name) || !isValidValue(value) {
            throw InvalidHeader(name: name)
        }
        buffer.reserveCapacity(minimumWritableBytes: 128 + (includeBody ? response.body.count : 0))
        writeStatusLine(response.status, version: version, into: &buffer)
        for (name, value) in response.headers where !isFraming(name) {
            buffer.writeString(name)
            buffer.writeStaticString(": ")
            buffer.writeString(value)
            buffer.writeStaticString("\r\n")
        }
        buffer.writeStaticString("Content-Length: ")
        buffer.writeString(String(response.body.count))
        if !keepAlive {
            buffer.writeStaticString("\r\nConnection: close")
        } else if version.major == 1, version.minor == 0 {
            buffer.writeStaticString("\r\nConnection: keep-alive")
        }
        buffer.writeStaticString("\r\n\r\n")
        if includeBody {
            buffer.writeBytes(response.body)
        }
    }

    /// An interim reply with no headers, such as `HTTP/1.1 100 Continue`.
    static func writeInterim(_ status: Int, version: HTTPVersion, into buffer: inout ByteBuffer) {
        writeStatusLine(status, version: version, into: &buffer)
        buffer.writeStaticString("\r\n")
    }

    private static func writeStatusLine(_ status: Int, version: HTTPVersion, into buffer: inout ByteBuffer) {
        if version.major == 1, version.minor == 0 {
            buffer.writeStaticString("HTTP/1.0 ")
        } else {
            buffer.writeStaticString("HTTP/1.1 ")
        }
        // Three digits, whatever the responder gave (HTTP status codes are 100…599).
        let code = min(max(status, 100), 999)
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 100))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code / 10 % 10))
        buffer.writeInteger(UInt8(ascii: "0") + UInt8(code % 10))
        buffer.writeInteger(UInt8(ascii: " "))
        buffer.writeString(HTTPResponseStatus(statusCode: code).reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    /// Headers the server writes itself. `name` is a valid token: `| 0x20` then maps only
    /// upper-case letters onto the lower-case ones (and `-` onto itself).
    private static func isFraming(_ name: String) -> Bool {
        func named(_ framing: StaticString) -> Bool {
            let bytes = UnsafeBufferPointer(start: framing.utf8Start, count: framing.utf8CodeUnitCount)
            return name.utf8.count == bytes.count && name.utf8.elementsEqual(bytes) { $0 | 0x20 == $1 }
        }
        return named("content-length") || named("connection") || named("transfer-encoding")
    }

    /// An RFC 9110 token: letters, digits and ``!#$%&'*+-.^_`|~``.
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
            default: "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }

    /// No control character but tab (no CR, LF or NUL that would end the header early).
    static func isValidValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }
    }
}
