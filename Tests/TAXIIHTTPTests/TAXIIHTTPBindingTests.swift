import Foundation
import Testing
import TAXII
import TAXIIHTTP

@Suite("TAXII HTTP binding: request headers and reply interpretation")
struct HTTPBindingTests {
    @Test("TAXII 1.1 over HTTPS with Basic authentication: every binding header")
    func headers11() {
        let headers = TAXIIHTTPBinding.requestHeaders(version: .v11, https: true, authorization: "Basic dTpw")
        let map = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) })
        #expect(map["Content-Type"] == "application/xml")
        #expect(map["Accept"] == "application/xml")
        #expect(map["X-TAXII-Content-Type"] == "urn:taxii.mitre.org:message:xml:1.1")
        #expect(map["X-TAXII-Accept"] == "urn:taxii.mitre.org:message:xml:1.1")
        #expect(map["X-TAXII-Services"] == "urn:taxii.mitre.org:services:1.1")
        #expect(map["X-TAXII-Protocol"] == "urn:taxii.mitre.org:protocol:https:1.0")
        #expect(map["User-Agent"] == "bastion-taxii")
        #expect(map["Authorization"] == "Basic dTpw")
    }

    @Test("TAXII 1.0 over HTTP without credentials")
    func headers10() {
        let map = Dictionary(uniqueKeysWithValues: TAXIIHTTPBinding.requestHeaders(version: .v10, https: false, authorization: nil).map { ($0.name, $0.value) })
        #expect(map["X-TAXII-Content-Type"] == "urn:taxii.mitre.org:message:xml:1.0")
        #expect(map["X-TAXII-Services"] == "urn:taxii.mitre.org:services:1.0")
        #expect(map["X-TAXII-Protocol"] == "urn:taxii.mitre.org:protocol:http:1.0")
        #expect(map["Authorization"] == nil)
    }

    @Test("response headers name the binding, the services and the protocol as served")
    func responseHeaders() {
        let map = Dictionary(uniqueKeysWithValues: TAXIIHTTPBinding.responseHeaders(version: .v10, https: true).map { ($0.name, $0.value) })
        #expect(map == [
            "Content-Type": "application/xml",
            "X-TAXII-Content-Type": "urn:taxii.mitre.org:message:xml:1.0",
            "X-TAXII-Services": "urn:taxii.mitre.org:services:1.0",
            "X-TAXII-Protocol": "urn:taxii.mitre.org:protocol:https:1.0",
        ])
    }

    @Test("a request's version comes from X-TAXII-Content-Type, header names compared case-insensitively")
    func requestVersion() throws {
        func version(_ headers: [String: String]) throws(TAXIIBindingError) -> TAXII.Version {
            try TAXIIHTTPBinding.requestVersion { name in headers.first { $0.key.lowercased() == name.lowercased() }?.value }
        }
        #expect(try version(["x-taxii-content-type": TAXII.VersionID.xml11]) == .v11)
        #expect(try version(["X-TAXII-Content-Type": " \(TAXII.VersionID.xml10) ", "X-TAXII-Services": TAXII.VersionID.services10]) == .v10)
        #expect(throws: TAXIIBindingError(.missingHeader, "the request has no X-TAXII-Content-Type header naming its message binding")) {
            try version(["Content-Type": "application/xml"])
        }
        let json = #expect(throws: TAXIIBindingError.self) { try version(["X-TAXII-Content-Type": TAXII.VersionID.certEUJSON10]) }
        #expect(json?.kind == .unsupportedBinding)
        let mismatch = #expect(throws: TAXIIBindingError.self) {
            try version(["X-TAXII-Content-Type": TAXII.VersionID.xml11, "X-TAXII-Services": TAXII.VersionID.services10])
        }
        #expect(mismatch?.kind == .unsupportedBinding)
        #expect(mismatch?.message.contains("does not match") == true)
    }

    @Test("a reply's header is found whatever the case of its name, and only by its whole name")
    func replyHeader() {
        let reply = TAXIIHTTPBinding.Reply(status: 200, headers: [.init(name: "x-taxii-CONTENT-type", value: "a"), .init(name: "X-TAXII-Services-", value: "b")])
        #expect(reply.header("X-TAXII-Content-Type") == "a")
        #expect(reply.header("x-taxii-services") == nil)
        #expect(reply.header("X-TAXII-Content-Typ") == nil)
        #expect(reply.header("") == nil)
    }

    @Test("header names compare without case for ASCII letters only")
    func headerNameComparison() {
        #expect("Content-Type".equalsIgnoringASCIICase("cONTENT-tYPE"))
        #expect("".equalsIgnoringASCIICase(""))
        #expect(!"Content-Type".equalsIgnoringASCIICase("Content-Typ"))
        #expect(!"a@".equalsIgnoringASCIICase("a`"))  // 0x40 and 0x60 differ only in the case bit
        #expect(!"X[".equalsIgnoringASCIICase("X{"))
        #expect(!"é".equalsIgnoringASCIICase("É"))  // not ASCII: compared as bytes
        #expect("é".equalsIgnoringASCIICase("é"))
    }

    @Test("a 200 reply without X-TAXII-Content-Type becomes a FAILURE Status Message holding the reply")
    func failureStatus() throws {
        let reply = TAXIIHTTPBinding.Reply(status: 200, reason: "OK", headers: [.init(name: "Content-Type", value: "text/html")], body: Array("<html>hello</html>".utf8))
        let message = try TAXIIHTTPBinding.message(from: reply, version: .v11, inResponseTo: "42")
        guard case .taxii11(.statusMessage(let status)) = message else {
            Issue.record("not a 1.1 status: \(message)")
            return
        }
        #expect(status.statusType == .failure)
        #expect(status.messageID == "0")
        #expect(status.inResponseTo == "42")
        #expect(status.message == "HTTP 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hello</html>")
        let v10 = try TAXIIHTTPBinding.message(from: reply, version: .v10, inResponseTo: "42")
        #expect(v10.version == .v10)
        #expect(v10.messageType == .statusMessage)
    }

    @Test("HTTP 500 without a TAXII message: httpStatus error naming the status and the body")
    func http500() {
        let reply = TAXIIHTTPBinding.Reply(status: 500, reason: "Internal Server Error", body: Array("Traceback (most recent call last):\n  boom".utf8))
        #expect(throws: TAXIIBindingError(.httpStatus, "HTTP 500 Internal Server Error without a TAXII message: 'Traceback (most recent call last): boom'", httpStatus: 500)) {
            try TAXIIHTTPBinding.message(from: reply, version: .v11, inResponseTo: "1")
        }
    }

    @Test("an unsupported X-TAXII-Content-Type is a typed error")
    func unsupportedBinding() {
        let error = refusal(TAXIIHTTPBinding.Reply(status: 200, headers: [.init(name: "x-taxii-content-type", value: TAXII.VersionID.certEUJSON10)], body: Array("{}".utf8)))
        #expect(error?.kind == .unsupportedBinding)
        #expect(error?.message.contains("urn:cert.europa.eu:message:json:1.0") == true)
    }

    @Test("a body that is not XML, or not TAXII: malformedReply")
    func malformed() {
        for body in ["not xml at all", "<html><body>hi</body></html>"] {
            let error = refusal(TAXIIHTTPBinding.Reply(status: 200, headers: [.init(name: "X-TAXII-Content-Type", value: TAXII.VersionID.xml11)], body: Array(body.utf8)))
            #expect(error?.kind == .malformedMessage)
            #expect(error?.description.contains("HTTP 200: the reply is not") == true)
        }
    }

    @Test("a reply of another type or version than the request's answer: unexpectedMessage")
    func unexpected() throws {
        let poll = TAXII.Message.taxii11(.pollResponse(TAXII11.PollResponse(inResponseTo: "1", collectionName: "c")))
        #expect(throws: TAXIIBindingError.self) { try TAXIIHTTPBinding.check(poll, answers: .discoveryRequest, version: .v11) }
        #expect(throws: Never.self) { try TAXIIHTTPBinding.check(poll, answers: .pollFulfillmentRequest, version: .v11) }
        #expect(throws: TAXIIBindingError.self) { try TAXIIHTTPBinding.check(poll, answers: .pollRequest, version: .v10) }
        let status = TAXII.Message.taxii11(.statusMessage(TAXII11.StatusMessage(inResponseTo: "1", statusType: .success)))
        #expect(throws: Never.self) { try TAXIIHTTPBinding.check(status, answers: .inboxMessage, version: .v11) }
        do {
            try TAXIIHTTPBinding.check(poll, answers: .discoveryRequest, version: .v11)
        } catch {
            #expect(error.message == "a TAXII 1.1 Discovery_Request was answered with a TAXII 1.1 Poll_Response, expected Discovery_Response or Status_Message")
        }
    }
}

/// The error reading `reply` as a TAXII 1.1 answer gives, if any.
private func refusal(_ reply: TAXIIHTTPBinding.Reply) -> TAXIIBindingError? {
    do {
        _ = try TAXIIHTTPBinding.message(from: reply, version: .v11, inResponseTo: "1")
        return nil
    } catch {
        return error
    }
}

