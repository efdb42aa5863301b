import BastionXML
import Testing
@testable import TAXII

@Suite("Fixtures parse to the expected fields")
struct MessageFieldTests {
    @Test func statusPending() throws {
        let status = try TAXII11.StatusMessage(xml: Support.fixture("valid/status_pending.xml"))
        #expect(status.messageID == "12")
        #expect(status.inResponseTo == "7")
        #expect(status.statusType == .pending)
        #expect(status.estimatedWait == 60)
        #expect(status.resultID == "res-2")
        #expect(status.willPush == false)
        #expect(status.message == nil)
        #expect(status.statusDetails.count == 3)
    }

    @Test func statusUnsupportedContent() throws {
        let status = try TAXII11.StatusMessage(xml: Support.fixture("valid/status_unsupported_content.xml"))
        #expect(status.statusType == .unsupportedContentBinding)
        #expect(status.statusType.rawValue == "UNSUPPORTED_CONTENT")
        #expect(status.supportedContent == [
            TAXII11.ContentBinding(TAXII.ContentBindingID.stixXML111),
            TAXII11.ContentBinding("urn:example:binding", subtypeIDs: ["sub-b", "sub-a"]),
        ])
        #expect(status.supportedContent[1].description == "urn:example:binding>sub-a,sub-b")
        #expect(status.message == "content binding not accepted")
        #expect(status.extendedHeaders == [.init(name: "urn:example:header:trace", text: "abc-123")])
    }

    @Test func statusCustomTypeAndSuccess() throws {
        let custom = try TAXII11.StatusMessage(xml: Support.fixture("valid/status_custom_type.xml"))
        #expect(custom.statusType == TAXII.StatusType(rawValue: "urn:example:status:QUOTA"))
        #expect(custom.detail("urn:example:detail:limit") == "100")
        let success = try TAXII11.StatusMessage(xml: Support.fixture("valid/status_success.xml"))
        #expect(success.statusType == .success)
        #expect(success.statusDetails.isEmpty)
        #expect(success.inResponseTo == "10")
    }

    @Test func discoveryRequestHeaders() throws {
        let request = try TAXII11.DiscoveryRequest(xml: Support.fixture("valid/discovery_request.xml"))
        #expect(request.messageID == "1")
        #expect(request.extendedHeaders.count == 2)
        #expect(request.extendedHeaders[0] == .init(name: "urn:example:header:client", text: "bastion-tests"))
        guard case .xml(let element) = request.extendedHeaders[1].value else {
            Issue.record("structured header not kept as XML")
            return
        }
        #expect(element.isNamed("Info", namespace: "urn:example:ns"))
        #expect(element.attribute("level") == "2")
    }

    @Test func discoveryResponse() throws {
        let response = try TAXII11.DiscoveryResponse(xml: Support.fixture("valid/discovery_response.xml"))
        #expect(response.inResponseTo == "1")
        #expect(response.serviceInstances.count == 2)
        let poll = response.serviceInstances[0]
        #expect(poll.serviceType == .poll)
        #expect(poll.serviceVersion == TAXII.VersionID.services11)
        #expect(poll.available == true)
        #expect(poll.bindings.protocolBinding == TAXII.VersionID.https10)
        #expect(poll.bindings.address == "https://taxii.example.com/services/poll")
        #expect(poll.bindings.messageBindings == [TAXII.VersionID.xml11])
        #expect(poll.supportedQueries.count == 1)
        #expect(poll.supportedQueries[0].formatID == TAXII.QueryFormatID.defaultQuery10)
        #expect(poll.supportedQueries[0].defaultQueryInfo?.capabilityModules == [TAXII.DefaultQuery.CapabilityModule.core])
        #expect(poll.message == "Poll service")
        let inbox = response.serviceInstances[1]
        #expect(inbox.serviceType == .inbox)
        #expect(inbox.available == nil)
        #expect(inbox.bindings.messageBindings == [TAXII.VersionID.xml11, TAXII.VersionID.xml10])
        #expect(inbox.inboxServiceAcceptedContent == ["urn:stix.mitre.org:xml:1.1.1", .init("urn:example:binding", subtypeIDs: ["sub-a", "sub-b"])])
    }

    @Test func collectionInformation() throws {
        let request = try TAXII11.CollectionInformationRequest(xml: Support.fixture("valid/collection_information_request.xml"))
        #expect(request.messageID == "3")
        let response = try TAXII11.CollectionInformationResponse(xml: Support.fixture("valid/collection_information_response.xml"))
        #expect(response.inResponseTo == "3")
        #expect(response.collectionInformations.count == 2)
        let feed = response.collectionInformations[0]
        #expect(feed.collectionName == "default")
        #expect(feed.collectionType == .dataFeed)
        #expect(feed.available == true)
        #expect(feed.description == "Default collection")
        #expect(feed.collectionVolume == 42)
        #expect(feed.supportedContents == [.init(TAXII.ContentBindingID.stixXML111)])
        #expect(feed.pushMethods == [.init(protocolBinding: TAXII.VersionID.https10, messageBindings: [TAXII.VersionID.xml11])])
        #expect(feed.pollingServiceInstances.map(\.address) == ["https://taxii.example.com/services/poll"])
        #expect(feed.subscriptionMethods.map(\.address) == ["https://taxii.example.com/services/collection-management"])
        #expect(feed.receivingInboxServices.count == 1)
        #expect(feed.receivingInboxServices[0].supportedContents == [.init(TAXII.ContentBindingID.stixXML111)])
        let set = response.collectionInformations[1]
        #expect(set.collectionType == .dataSet)
        #expect(set.available == false)
        #expect(set.collectionVolume == nil)
        #expect(set.pushMethods.isEmpty)
    }

    @Test func pollRequests() throws {
        let request = try TAXII11.PollRequest(xml: Support.fixture("valid/poll_request_parameters.xml"))
        #expect(request.collectionName == "default")
        #expect(request.exclusiveBeginTimestamp?.lexicalForm == "2015-01-01T00:00:00+00:00")
        #expect(request.inclusiveEndTimestamp?.microseconds == 123_456)
        #expect(request.subscriptionID == nil)
        let parameters = try #require(request.pollParameters)
        #expect(parameters.allowAsynch)
        #expect(parameters.responseType == .full)
        #expect(parameters.contentBindings == [.init(TAXII.ContentBindingID.stixXML111)])
        #expect(parameters.query == nil)
        #expect(parameters.deliveryParameters == .init(
            protocolBinding: TAXII.VersionID.https10, address: "https://client.example.com/inbox", messageBinding: TAXII.VersionID.xml11
        ))
        let subscribed = try TAXII11.PollRequest(xml: Support.fixture("valid/poll_request_subscription.xml"))
        #expect(subscribed.scope == .subscription(id: "sub-1"))
        #expect(subscribed.exclusiveBeginTimestamp == nil)
        #expect(subscribed.inclusiveEndTimestamp == TAXII.Timestamp("2015-01-02T00:00:00Z"))
        #expect(subscribed.inclusiveEndTimestamp?.timezoneOffsetMinutes == 330)
    }

    @Test func pollResponse() throws {
        let response = try TAXII11.PollResponse(xml: Support.fixture("valid/poll_response_stix.xml"))
        #expect(response.messageID == "8")
        #expect(response.inResponseTo == "7")
        #expect(response.collectionName == "default")
        #expect(response.more)
        #expect(response.resultID == "res-1")
        #expect(response.resultPartNumber == 1)
        #expect(response.subscriptionID == nil)
        #expect(response.recordCount == .init(250, isPartial: true))
        #expect(response.message == "part one")
        #expect(response.contentBlocks.count == 2)
        let stix = response.contentBlocks[0]
        #expect(stix.contentBinding == .init(TAXII.ContentBindingID.stixXML111))
        #expect(stix.content.isXML)
        #expect(stix.timestampLabel?.lexicalForm == "2015-01-01T12:00:00+00:00")
        #expect(stix.message == "one indicator")
        let text = response.contentBlocks[1]
        #expect(text.contentBinding == .init("urn:example:text", subtypeIDs: ["plain"]))
        #expect(text.content == .text("plain text <not xml> content"))
        #expect(text.padding == "xxxx")
        #expect(text.timestampLabel == nil)
    }

    @Test func inboxMessage() throws {
        let inbox = try TAXII11.InboxMessage(xml: Support.fixture("valid/inbox_message.xml"))
        #expect(inbox.messageID == "10")
        #expect(inbox.resultID == "res-9")
        #expect(inbox.destinationCollectionNames == ["default", "archive"])
        #expect(inbox.message == "push")
        #expect(inbox.subscriptionInformation == .init(
            collectionName: "default", subscriptionID: "sub-1",
            exclusiveBeginTimestamp: TAXII.Timestamp("2015-01-01T00:00:00+00:00"),
            inclusiveEndTimestamp: TAXII.Timestamp("2015-01-02T00:00:00Z")
        ))
        #expect(inbox.recordCount == .init(1))
        #expect(inbox.contentBlocks.count == 2)
        #expect(inbox.contentBlocks[1].contentBinding.bindingID == TAXII.ContentBindingID.smime)
        #expect(inbox.contentBlocks[1].content == .text("MIAGCSqGSIb3DQEHA6CAMIACAQAx"))
    }

    @Test func pollFulfillment() throws {
        let request = try TAXII11.PollFulfillmentRequest(xml: Support.fixture("valid/poll_fulfillment.xml"))
        #expect(request.messageID == "9")
        #expect(request.collectionName == "default")
        #expect(request.resultID == "res-1")
        #expect(request.resultPartNumber == 2)
        let xml = try request.xml()
        #expect(xml.contains("result_part_number=\"2\""))
    }

    @Test func subscriptionManagement() throws {
        let request = try TAXII11.ManageCollectionSubscriptionRequest(xml: Support.fixture("valid/subscription_management_request.xml"))
        #expect(request.action == .subscribe)
        #expect(request.collectionName == "default")
        #expect(request.subscriptionID == nil)
        let parameters = try #require(request.subscriptionParameters)
        #expect(parameters.responseType == .full)
        #expect(parameters.query?.formatID == TAXII.QueryFormatID.defaultQuery10)
        #expect(parameters.query?.defaultQuery?.criteria.criterion.first?.target == "STIX_Package/Indicators/Indicator/Title")
        #expect(request.pushParameters?.address == "https://client.example.com/inbox")

        let response = try TAXII11.ManageCollectionSubscriptionResponse(xml: Support.fixture("valid/subscription_management_response.xml"))
        #expect(response.inResponseTo == "5")
        #expect(response.message == "Subscribed")
        #expect(response.subscriptionInstances.count == 1)
        let subscription = response.subscriptionInstances[0]
        #expect(subscription.status == .paused)
        #expect(subscription.subscriptionID == "sub-1")
        #expect(subscription.subscriptionParameters?.responseType == .countOnly)
        #expect(subscription.pollInstances.map(\.address) == ["https://taxii.example.com/services/poll"])
    }
}
