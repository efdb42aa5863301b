// HTTPResponseFramer (the bench load generator's HTTP/1.1 response framing): the first byte says
// whether the request was a HEAD and where to split the rest; the rest is the bytes a connection
// reads. Framed whole or in two pieces, the same bytes give the same responses and the same error.
import BastionHTTPClient
import FuzzSupport
import NIOCore

/// The responses (status, keep-alive, body) and the error, if any, framing `pieces` in turn.
func frame(_ pieces: [ArraySlice<UInt8>], afterHEAD: Bool) -> (responses: [String], error: String?) {
    var framer = HTTPResponseFramer()
    var unread = ByteBuffer()
    var responses: [String] = []
    do {
        for piece in pieces {
            unread.writeBytes(piece)
            while let response = try framer.next(from: &unread, afterHEAD: afterHEAD) {
                responses.append("\(response.status) \(response.keepAlive) \(String(buffer: response.body).debugDescription)")
            }
        }
        if let response = framer.connectionClosed() {
            responses.append("\(response.status) \(response.keepAlive) \(String(buffer: response.body).debugDescription) (at close)")
        }
        return (responses, nil)
    } catch {
        return (responses, error.description)
    }
}

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let first = bytes.first else { return }
    let wire = bytes.dropFirst()
    let afterHEAD = first & 0x80 != 0
    let cut = wire.startIndex + Int(first & 0x7F) % (wire.count + 1)
    let whole = frame([wire], afterHEAD: afterHEAD)
    let split = frame([wire[..<cut], wire[cut...]], afterHEAD: afterHEAD)
    try require(whole.error == split.error, "whole: \(whole.error ?? "no error"); split at \(cut - wire.startIndex): \(split.error ?? "no error")")
    if whole.error == nil {
        try require(whole.responses == split.responses, "whole: \(whole.responses); split at \(cut - wire.startIndex): \(split.responses)")
    }
}
