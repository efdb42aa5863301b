import Testing
@testable import TAXII

/// Inputs that once crashed a parser (found by the fuzz targets in `Fuzz/` or by hand), kept in
/// `Fixtures/regressions/`. Each must be read without a trap; where it parses, it must survive
/// XML → model → XML and the dictionary form unchanged, as the fuzz targets check.
@Suite("Inputs that once crashed a parser")
struct RegressionTests {
    static let files = Support.files(in: "regressions")

    @Test("there are regression fixtures")
    func present() {
        #expect(!Self.files.isEmpty)
    }

    @Test("parsed, validated and round-tripped without a trap", arguments: files)
    func survives(name: String) throws {
        let xml = try Support.fixture("regressions/" + name)
        _ = TAXII.validate(xml: xml)
        guard let message = try? TAXII.message(fromXML: xml) else { return }
        let again = try TAXII.message(fromXML: message.xml())
        #expect(again == message)
        #expect(try TAXII.message(fromDictionary: message.dictionary(), version: message.version) == message)
    }

    @Test("a timestamp with 130 fractional digits keeps its microseconds (was: arithmetic overflow)")
    func longFraction() throws {
        let message = try TAXII11.InboxMessage(xml: Support.fixture("regressions/inbox_timestamp_130_fraction_digits.xml"))
        let end = try #require(message.subscriptionInformation?.inclusiveEndTimestamp)
        #expect(end.microseconds == 111_111)
        #expect(end.secondsSinceEpoch == 1_420_070_400)
        #expect(TAXII.validate(xml: try message.xml()).isEmpty)
    }
}

@Suite("Dictionary-form findings of the taxii-json fuzz target")
struct DictionaryRegressionTests {
    @Test("a subscribe without subscription_parameters reads as the defaults it is written with")
    func subscribeWithoutParameters() throws {
        let json = #"{"action":"SUBSCRIBE","collection_name":"default","extended_headers":{},"message_id":"5","message_type":"Subscription_Management_Request"}"#
        let message = try TAXII.message(fromJSON: json, version: .v11)
        guard case .taxii11(.manageCollectionSubscriptionRequest(let request)) = message else {
            Issue.record("not a subscription management request: \(message)")
            return
        }
        #expect(request.subscriptionParameters == TAXII11.SubscriptionParameters())
        #expect(try TAXII.message(fromJSON: message.json(), version: .v11) == message)
        #expect(try TAXII.message(fromXML: message.xml()) == message)
    }

    @Test("ids and tokens keep their whitespace through XML, as libtaxii keeps it; whitespace alone is still empty")
    func whitespaceKept() throws {
        let json = #"{"extended_headers":{},"in_response_to":"10 ","message_id":" 104","message_type":"Discovery_Response","service_instances":[{"available":true,"inbox_service_accepted_content":[],"message":null,"message_bindings":["urn:taxii.mitre.org:message:xml:1.1 "],"protocol_binding":"urn:taxii.mitre.org:protocol:https:1.0","service_address":"https://taxii.example.com/services/poll","service_type":"POLL","services_version":"urn:taxii.mitre.org:services:1.1","supported_query":[]}]}"#
        let message = try TAXII.message(fromJSON: json, version: .v11)
        #expect(message.validate().isEmpty)
        let again = try TAXII.message(fromXML: message.xml())
        #expect(again == message)
        #expect(again.message.inResponseToID == "10 " && again.message.messageID == " 104")
        let blank = try message.xml().replacingOccurrences(of: "message_id=\" 104\"", with: "message_id=\"  \"")
        #expect(TAXII.validate(xml: blank).first?.kind == .invalidValue)
    }

    @Test("subscription and result ids are kept as written through XML too (taxii-json found one trimmed)")
    func idAttributesKept() throws {
        let inbox10 = #"{"content_blocks":[],"extended_headers":{},"message_id":"13","message_type":"Inbox_Message","subscription_information":{"feed_name":"default","inclusive_end_timestamp_label":"2014-01-02T00:00:00+00:00","subscription_id":"  s\ufffdsub-0 "}}"#
        let poll10 = #"{"content_bindings":[],"extended_headers":{},"feed_name":"default","message_id":"14","message_type":"Poll_Request","subscription_id":" sub-1"}"#
        let pollResponse = #"{"collection_name":"default","content_blocks":[],"exclusive_begin_timestamp_label":null,"extended_headers":{},"in_response_to":"1","inclusive_end_timestamp_label":"2014-01-02T00:00:00+00:00","message":null,"message_id":"15","message_type":"Poll_Response","more":true,"result_id":" r1 ","result_part_number":1,"subscription_id":null}"#
        for (json, version, id) in [(inbox10, TAXII.Version.v10, "  s\u{FFFD}sub-0 "), (poll10, .v10, " sub-1"), (pollResponse, .v11, " r1 ")] {
            let message = try TAXII.message(fromJSON: json, version: version)
            #expect(message.validate().isEmpty)
            let again = try TAXII.message(fromXML: message.xml())
            #expect(again == message)
            #expect(again.json().contains("\"\(id)\""))
        }
    }
}
