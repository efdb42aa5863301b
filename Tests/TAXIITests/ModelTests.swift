import Foundation
import Testing
@testable import TAXII

@Suite("Timestamps")
struct TimestampTests {
    @Test("valid lexical forms are kept", arguments: [
        "2015-01-01T00:00:00Z", "2015-01-01T00:00:00+00:00", "2015-01-01T00:00:00.5-05:00",
        "2016-02-29T23:59:59.999999+14:00", "-0001-01-01T00:00:00Z",
    ])
    func valid(text: String) throws {
        let timestamp = try #require(TAXII.Timestamp(text))
        #expect(timestamp.lexicalForm == text)
    }

    @Test("invalid forms are refused", arguments: [
        "2015-01-01T00:00:00", "2015-01-01 00:00:00Z", "2015-13-01T00:00:00Z", "2015-02-29T00:00:00Z",
        "2015-01-01T24:00:00Z", "2015-01-01T00:00:00.Z", "2015-01-01T00:00:00.12x4567Z", "2015-01-01T00:00:00+1:00", "15-01-01T00:00:00Z", "",
        "2015-01-01T00:00:00Zjunk",
    ])
    func invalid(text: String) {
        #expect(TAXII.Timestamp(text) == nil)
    }

    @Test("any number of fractional digits: microseconds kept, the rest truncated as libtaxii does", arguments: [
        ("2015-01-01T00:00:00.123456789Z", 123_456), ("2015-01-01T00:00:00.1234567Z", 123_456),
        ("2015-01-01T00:00:00.999999999+01:00", 999_999), ("2015-01-01T00:00:00.5Z", 500_000),
        ("2015-01-01T00:00:00." + String(repeating: "9", count: 130) + "Z", 999_999),
        ("2015-01-01T00:00:00." + String(repeating: "0", count: 10_000) + "1Z", 0),
    ])
    func longFractions(text: String, microseconds: Int) throws {
        let timestamp = try #require(TAXII.Timestamp(text))
        #expect(timestamp.microseconds == microseconds)
        #expect(timestamp.lexicalForm == text)
        #expect(timestamp.secondsSinceEpoch == (text.hasSuffix("+01:00") ? 1_420_066_800 : 1_420_070_400))
    }

    @Test("equality is by instant")
    func instant() throws {
        let a = try #require(TAXII.Timestamp("2015-01-01T00:00:00Z"))
        let b = try #require(TAXII.Timestamp("2015-01-01T05:30:00+05:30"))
        let c = try #require(TAXII.Timestamp("2015-01-01T00:00:00.000001Z"))
        #expect(a == b)
        #expect(a != c)
        #expect(a.secondsSinceEpoch == 1_420_070_400)
        #expect(a.secondsSince1970 == 1_420_070_400)
        #expect(c.secondsSince1970 == 1_420_070_400.000001)
    }

    @Test("made from an instant in libtaxii's form")
    func fromInstant() throws {
        let timestamp = TAXII.Timestamp(secondsSince1970: 1_420_070_400.25)
        #expect(timestamp.lexicalForm == "2015-01-01T00:00:00.250000+00:00")
        #expect(TAXII.Timestamp(timestamp.lexicalForm) == timestamp)
        #expect(TAXII.Timestamp(secondsSince1970: 0).lexicalForm == "1970-01-01T00:00:00+00:00")
        // Out of range, infinite or NaN: saturates within four-digit years instead of trapping.
        #expect(TAXII.Timestamp(secondsSince1970: .infinity).lexicalForm == "9999-12-31T23:59:59+00:00")
        #expect(TAXII.Timestamp(secondsSince1970: -1e300).lexicalForm == "0001-01-01T00:00:00+00:00")
        #expect(TAXII.Timestamp(secondsSince1970: .nan).secondsSinceEpoch == 0)
    }
}

@Suite("libtaxii equality semantics")
struct EqualityTests {
    @Test("lists compare order-independently")
    func unordered() throws {
        let a = try TAXII11.DiscoveryResponse(xml: Support.fixture("valid/discovery_response.xml"))
        var b = a
        b.serviceInstances.reverse()
        b.serviceInstances[0].bindings.messageBindings.reverse()
        b.serviceInstances[0].inboxServiceAcceptedContent.reverse()
        #expect(a == b)
        b.serviceInstances[0].bindings.address = "http://elsewhere"
        #expect(a != b)
    }

    @Test("status details compare as a multiset")
    func details() throws {
        let a = try TAXII11.StatusMessage(xml: Support.fixture("valid/status_pending.xml"))
        var b = a
        b.statusDetails.reverse()
        #expect(a == b)
        b.statusDetails.append(.init(name: "ITEM", value: "x"))
        #expect(a != b)
    }

    @Test("content blocks compare in any order, but content exactly")
    func blocks() throws {
        let a = try TAXII11.PollResponse(xml: Support.fixture("valid/poll_response_stix.xml"))
        var b = a
        b.contentBlocks.reverse()
        #expect(a == b)
        b.contentBlocks[0].content = .text("other")
        #expect(a != b)
    }

    @Test("message ids are random positive integers")
    func messageIDs() {
        let ids = (0..<10_000).map { _ in TAXII.generateMessageID() }  // the sequence's state wraps around many times
        #expect(Set(ids).count == 10_000)
        #expect(ids.allSatisfy { UInt64($0) != nil && UInt64($0)! > 0 })
        #expect(TAXII11.DiscoveryRequest().messageID != TAXII11.DiscoveryRequest().messageID)
    }
}

@Suite("Constants")
struct ConstantsTests {
    @Test func libtaxiiValues() {
        #expect(TAXII.VersionID.services11 == "urn:taxii.mitre.org:services:1.1")
        #expect(TAXII.VersionID.xml10 == "urn:taxii.mitre.org:message:xml:1.0")
        #expect(TAXII.VersionID.https10 == "urn:taxii.mitre.org:protocol:https:1.0")
        #expect(TAXII.VersionID.certEUJSON10 == "urn:cert.europa.eu:message:json:1.0")
        #expect(TAXII.ContentBindingID.stixXML12 == "urn:stix.mitre.org:xml:1.2")
        #expect(TAXII.ContentBindingID.stixXML.count == 5)
        #expect(TAXII.ContentBindingID.smime == "application/x-pkcs7-mime")
        #expect(TAXII.StatusType.unsupportedMessageBinding.rawValue == "UNSUPPORTED_MESSAGE")
        #expect(TAXII.StatusType.types10.count == 11)
        #expect(TAXII.StatusType.types11.count == 17)
        #expect(Set(TAXII.StatusType.types10).isSubset(of: Set(TAXII.StatusType.types11)))
        #expect(TAXII.MessageType.pollFulfillmentRequest.rawValue == "Poll_Fulfillment")
        #expect(TAXII.MessageType.types10.count == 10)
        #expect(TAXII.MessageType.types11.count == 11)
        #expect(TAXII.SubscriptionAction.types10 == [.subscribe, .unsubscribe, .status])
        #expect(TAXII.ServiceType.types11.contains(.collectionManagement))
        #expect(!TAXII.ServiceType.types11.contains(.feedManagement))
        #expect(TAXII.StatusDetailKey.types11.count == 10)
        #expect(TAXII.DefaultQuery.CapabilityModule.all.count == 3)
        #expect(TAXII.DefaultQuery.Relationship.notEquals.rawValue == "not_equals")
        #expect(TAXII.DefaultQuery.Relationship.allCases.count == 12)
        #expect(TAXII.DefaultQuery.CapabilityModule.relationships[TAXII.DefaultQuery.CapabilityModule.core]?.count == 11)
        #expect(TAXII.QueryFormatID.defaultQuery10 == "urn:taxii.mitre.org:query:default:1.0")
        #expect(TAXII.Namespace.map["taxii_11"] == TAXII11.namespace)
    }
}
