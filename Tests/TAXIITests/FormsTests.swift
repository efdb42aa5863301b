import Foundation
import Testing
@testable import TAXII

@Suite("Both versions: XML, dictionary and JSON round trips")
struct FormsRoundTripTests {
    @Test("every fixture: XML → model → XML → model, compact and pretty", arguments: Support.allValidFixtures)
    func xmlRoundTrip(path: String) throws {
        let first = try TAXII.message(fromXML: Support.fixture(path))
        #expect(first.version == (path.hasPrefix("valid10/") ? .v10 : .v11))
        for pretty in [false, true] {
            let xml = try first.xml(prettyPrinted: pretty)
            let second = try TAXII.message(fromXML: xml)
            #expect(second == first, "\(path) pretty=\(pretty)\n\(xml)")
            #expect(try second.xml(prettyPrinted: pretty) == xml)
        }
    }

    @Test("every fixture: dict → model → dict, and JSON → model equals the XML model", arguments: Support.allValidFixtures)
    func dictionaryRoundTrip(path: String) throws {
        let message = try TAXII.message(fromXML: Support.fixture(path))
        let dictionary = message.dictionary()
        #expect(dictionary["message_type"] == .string(message.messageType.rawValue))
        let rebuilt = try TAXII.message(fromDictionary: dictionary, version: message.version)
        #expect(rebuilt.dictionary() == dictionary, "\(path)")
        let json = message.json(prettyPrinted: true)
        let fromJSON = try TAXII.message(fromJSON: json, version: message.version)
        #expect(fromJSON.dictionary() == dictionary)
        #expect(fromJSON.json(prettyPrinted: true) == json)
        // Everything the dictionary form carries survives: messages without a
        // signature or a non-default query come back equal.
        if !Self.losesInDictionary(path) {
            #expect(fromJSON == message, "\(path)\n\(json)")
        }
    }

    /// Fixtures with parts the dictionary form has no key for (libtaxii drops
    /// them too): signatures. (Default Query bodies have a dictionary form.)
    static let lossyInDictionary: Set<String> = [
        "valid/discovery_request_signed.xml", "valid10/status_signed.xml",
    ]

    static func losesInDictionary(_ path: String) -> Bool { lossyInDictionary.contains(path) }

    @Test("the text form starts with the header and names every message type", arguments: Support.allValidFixtures)
    func textHeader(path: String) throws {
        let message = try TAXII.message(fromXML: Support.fixture(path))
        let lines = message.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "Message Type: \(message.messageType.rawValue)"[...])
        #expect(lines.dropFirst().first?.hasPrefix("Message ID: \(message.message.messageID)") == true)
        #expect(message.text.hasSuffix("\n"))
    }
}

@Suite("Dictionary form: libtaxii's keys and values")
struct DictionaryFormTests {
    @Test("1.1 Poll_Response: keys, ISO timestamps, content kept exactly")
    func pollResponse11() throws {
        guard case .pollResponse(let response) = try Support.message("poll_response_stix.xml") else {
            Issue.record("not a poll response")
            return
        }
        let dictionary = response.dictionary()
        #expect(Set(dictionary.keys) == [
            "message_type", "message_id", "in_response_to", "extended_headers", "collection_name", "more", "result_id",
            "result_part_number", "record_count", "exclusive_begin_timestamp_label", "inclusive_end_timestamp_label", "content_blocks",
        ] || dictionary.keys.contains("message"))
        #expect(dictionary["more"] == .bool(response.more))
        #expect(dictionary["result_part_number"] == .integer(response.resultPartNumber))
        let block = try #require(dictionary["content_blocks"]?.listValue?.first)
        #expect(block["content_is_xml"] == .bool(true))
        #expect(block["content"] == .string(response.contentBlocks[0].content.string))
        #expect(block["content_binding"]?["binding_id"] == .string(response.contentBlocks[0].contentBinding.bindingID))
        if let end = response.inclusiveEndTimestamp {
            #expect(dictionary["inclusive_end_timestamp_label"] == .string(end.isoFormat))
        }
    }

    @Test("1.1 Status_Message: details typed as libtaxii types them, repeated names become lists")
    func statusDetails() throws {
        guard case .statusMessage(let pending) = try Support.message("status_pending.xml"),
              case .statusMessage(let destination) = try Support.message("status_destination_collection_error.xml")
        else {
            Issue.record("not status messages")
            return
        }
        #expect(pending.dictionary()["status_detail"] == ["ESTIMATED_WAIT": 60, "RESULT_ID": "res-2", "WILL_PUSH": false])
        #expect(destination.dictionary()["status_detail"] == ["ACCEPTABLE_DESTINATION": ["default", "archive"]])
    }

    @Test("1.0 Poll_Request: exact dictionary")
    func pollRequest10() throws {
        let message = try Support.message10("poll_request.xml")
        #expect(message.dictionary() == [
            "message_type": "Poll_Request", "message_id": "9", "extended_headers": [:], "feed_name": "default",
            "exclusive_begin_timestamp_label": "2014-01-01T00:00:00+00:00",
            "inclusive_end_timestamp_label": "2014-01-02T00:00:00.250000+01:00",
            "content_bindings": ["urn:stix.mitre.org:xml:1.0"],
        ])
    }

    @Test("1.0 Subscription_Management_Request: delivery parameters keys")
    func subscription10() throws {
        let message = try Support.message10("subscription_management_request_subscribe.xml")
        #expect(message.dictionary()["delivery_parameters"] == [
            "inbox_protocol": "urn:taxii.mitre.org:protocol:https:1.0", "inbox_address": "https://client.example.com/inbox",
            "delivery_message_binding": "urn:taxii.mitre.org:message:xml:1.0", "content_bindings": ["urn:stix.mitre.org:xml:1.0"],
        ])
        #expect(message.dictionary()["subscription_id"] == .null)
    }

    @Test("missing keys and wrong types are refused with the key path")
    func errors() throws {
        var dictionary = try Support.message("poll_response_stix.xml").dictionary()
        dictionary["collection_name"] = nil
        let missing = #expect(throws: TAXIIError.self) { try TAXII11.Message(dictionary: dictionary) }
        #expect(missing?.kind == .missingKey)
        #expect(missing?.path == "collection_name")

        var wrong = try Support.message("poll_response_stix.xml").dictionary()
        var blocks = try #require(wrong["content_blocks"]?.listValue)
        var block = try #require(blocks[0].dictionaryValue)
        block["content_binding"] = ["binding_id": 7]
        blocks[0] = .dictionary(block)
        wrong["content_blocks"] = .list(blocks)
        let typed = #expect(throws: TAXIIError.self) { try TAXII11.Message(dictionary: wrong) }
        #expect(typed?.kind == .wrongType)
        #expect(typed?.path == "content_blocks[0].content_binding.binding_id")
        #expect(typed?.description.contains("expected a string, found integer") == true)

        let type = #expect(throws: TAXIIError.self) { try TAXII10.Message(dictionary: ["message_type": "Poll_Fulfillment", "message_id": "1"]) }
        #expect(type?.kind == .unknownMessageType)

        let timestamp = #expect(throws: TAXIIError.self) {
            try TAXII10.PollResponse(dictionary: [
                "message_type": "Poll_Response", "message_id": "1", "in_response_to": "2", "feed_name": "f",
                "inclusive_end_timestamp_label": "yesterday", "content_blocks": [],
            ])
        }
        #expect(timestamp?.kind == .invalidTimestamp)
        #expect(timestamp?.path == "inclusive_end_timestamp_label")
    }

    @Test("JSON: strict parsing, sorted keys, escapes")
    func json() throws {
        let value: TAXII.DictionaryValue = ["b": [1, true, nil], "a": "x\"\n\u{1}é"]
        #expect(value.json() == #"{"a":"x\"\n\u0001é","b":[1,true,null]}"#)
        #expect(try TAXII.DictionaryValue(json: value.json(prettyPrinted: true)) == value)
        #expect(try TAXII.DictionaryValue(json: #"{"s":"\ud83d\ude00"}"#) == ["s": "😀"])
        for bad in [#"{"a":1,"a":2}"#, "[1,]", "{\"a\":1.5}", "01", "\"\u{1}\"", "[" + String(repeating: "[", count: 600)] {
            let error = #expect(throws: TAXIIError.self, "\(bad)") { try TAXII.DictionaryValue(json: bad) }
            #expect(error?.kind == .malformedJSON)
        }
    }

    @Test("ISO format as Python writes it")
    func isoFormat() throws {
        #expect(TAXII.Timestamp("2015-01-01T00:00:00Z")?.isoFormat == "2015-01-01T00:00:00+00:00")
        #expect(TAXII.Timestamp("2015-01-01T23:30:00.5-05:30")?.isoFormat == "2015-01-01T23:30:00.500000-05:30")
        #expect(TAXII.Timestamp("2015-01-01T23:30:00.5-05:30")?.pythonDescription == "2015-01-01 23:30:00.500000-05:30")
        #expect(TAXII.Timestamp(isoFormat: "2015-01-01 00:00:00+00:00") == TAXII.Timestamp("2015-01-01T00:00:00Z"))
    }
}
