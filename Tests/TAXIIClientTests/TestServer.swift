import NIOCore
import TAXII
import TestSupport

/// The scripted server the client tests talk to, with its TAXII service at `/services/test`.
typealias TestServer = ScriptedHTTPServer

extension ScriptedHTTPServer {
    /// The test service's URL.
    var url: String { url("/services/test") }
}

extension CannedReply {
    /// A TAXII message with the binding's response headers.
    static func taxii(_ message: TAXII.Message, https: Bool = false) -> CannedReply {
        CannedReply(
            headers: [
                ("Content-Type", "application/xml"),
                ("X-TAXII-Content-Type", message.messageBindingID),
                ("X-TAXII-Services", message.version.servicesVersionID),
                ("X-TAXII-Protocol", https ? TAXII.VersionID.https10 : TAXII.VersionID.http10),
            ],
            body: Array(((try? message.xml()) ?? "").utf8)
        )
    }
}
