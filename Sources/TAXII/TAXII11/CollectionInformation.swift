import BastionXML

extension TAXII11 {
    /// How a collection can push content (`Push_Method`; libtaxii `PushMethod`).
    public struct PushMethod: Sendable, Equatable {
        /// The protocol binding id (`Protocol_Binding`).
        public var protocolBinding: String
        /// The message binding ids (`Message_Binding`, 1..n); compared order-independently.
        public var messageBindings: [String]

        /// Creates a push method.
        public init(protocolBinding: String, messageBindings: [String]) {
            self.protocolBinding = protocolBinding
            self.messageBindings = messageBindings
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.protocolBinding == rhs.protocolBinding && sameElements(lhs.messageBindings, rhs.messageBindings)
        }
    }

    /// An Inbox Service that adds content to a collection (`Receiving_Inbox_Service`; libtaxii `ReceivingInboxService`).
    public struct ReceivingInboxService: Sendable, Equatable {
        /// Protocol binding, address and message bindings.
        public var bindings: ServiceBindings
        /// Accepted content (`Content_Binding`; none: all).
        public var supportedContents: [ContentBinding]

        /// Creates a receiving inbox service.
        public init(bindings: ServiceBindings, supportedContents: [ContentBinding] = []) {
            self.bindings = bindings
            self.supportedContents = supportedContents
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.bindings == rhs.bindings && sameElements(lhs.supportedContents, rhs.supportedContents)
        }
    }

    /// A collection as a Collection Information Response describes it
    /// (`Collection`; libtaxii `CollectionInformation`).
    public struct CollectionInformation: Sendable, Equatable, ListedRecord {
        /// `collection_name`.
        public var collectionName: String
        /// `collection_type` (default ``TAXII/CollectionType/dataFeed``).
        public var collectionType: TAXII.CollectionType
        /// `available` (`nil`: not stated).
        public var available: Bool?
        /// `Description`.
        public var description: String
        /// `Collection_Volume`: about how many content blocks it holds.
        public var collectionVolume: Int?
        /// The content it holds (`Content_Binding`; none: any).
        public var supportedContents: [ContentBinding]
        /// Push methods (`Push_Method`).
        public var pushMethods: [PushMethod]
        /// Poll Services serving it (`Polling_Service`).
        public var pollingServiceInstances: [ServiceBindings]
        /// Collection Management Services taking subscriptions (`Subscription_Service`).
        public var subscriptionMethods: [ServiceBindings]
        /// Inbox Services feeding it (`Receiving_Inbox_Service`).
        public var receivingInboxServices: [ReceivingInboxService]

        /// Creates a collection description.
        public init(
            collectionName: String,
            collectionType: TAXII.CollectionType = .dataFeed,
            available: Bool? = nil,
            description: String,
            collectionVolume: Int? = nil,
            supportedContents: [ContentBinding] = [],
            pushMethods: [PushMethod] = [],
            pollingServiceInstances: [ServiceBindings] = [],
            subscriptionMethods: [ServiceBindings] = [],
            receivingInboxServices: [ReceivingInboxService] = []
        ) {
            self.collectionName = collectionName
            self.collectionType = collectionType
            self.available = available
            self.description = description
            self.collectionVolume = collectionVolume
            self.supportedContents = supportedContents
            self.pushMethods = pushMethods
            self.pollingServiceInstances = pollingServiceInstances
            self.subscriptionMethods = subscriptionMethods
            self.receivingInboxServices = receivingInboxServices
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> CollectionInformation {
            var cursor = cursor
            let name = try cursor.requiredAttribute("collection_name")
            let type: TAXII.CollectionType = try cursor.enumAttribute("collection_type") ?? .dataFeed
            let available = try cursor.boolAttribute("available")
            let (descriptionElement, _) = try cursor.required("Description")
            let volume = try cursor.optionalNonNegativeInt("Collection_Volume")
            let contents = try ContentBinding.parseList(&cursor)
            let pushMethods = try cursor.readMany("Push_Method", PushMethod.parse)
            let polling = try cursor.readMany("Polling_Service", ServiceBindings.parse)
            let subscription = try cursor.readMany("Subscription_Service", ServiceBindings.parse)
            var inboxes: [ReceivingInboxService] = []
            for (service, servicePath) in try cursor.many("Receiving_Inbox_Service") {
                var inner = cursor.child(service, path: servicePath)
                let bindings = try ServiceBindings.parse(&inner)
                let accepted = try ContentBinding.parseList(&inner)
                try inner.finish()
                inboxes.append(ReceivingInboxService(bindings: bindings, supportedContents: accepted))
            }
            try cursor.finish()
            return CollectionInformation(
                collectionName: name, collectionType: type, available: available,
                description: descriptionElement.text, collectionVolume: volume, supportedContents: contents,
                pushMethods: pushMethods, pollingServiceInstances: polling, subscriptionMethods: subscription,
                receivingInboxServices: inboxes
            )
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Collection")
            writer.attribute("collection_name", collectionName)
            writer.attribute("collection_type", collectionType.rawValue)
            if let available { writer.attribute("available", available ? "true" : "false") }
            writer.text11("Description", description)
            if let collectionVolume { writer.text11("Collection_Volume", String(collectionVolume)) }
            for binding in supportedContents { binding.write(to: &writer) }
            for method in pushMethods { method.write(to: &writer, version: .v11) }
            for service in pollingServiceInstances { service.write(to: &writer, name: "Polling_Service") }
            for service in subscriptionMethods { service.write(to: &writer, name: "Subscription_Service") }
            for inbox in receivingInboxServices {
                writer.start11("Receiving_Inbox_Service")
                inbox.bindings.writeContent(to: &writer)
                for binding in inbox.supportedContents { binding.write(to: &writer) }
                writer.endElement()
            }
            writer.endElement()
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.collectionName == rhs.collectionName && lhs.collectionType == rhs.collectionType
                && lhs.available == rhs.available && lhs.description == rhs.description
                && lhs.collectionVolume == rhs.collectionVolume
                && sameElements(lhs.supportedContents, rhs.supportedContents)
                && sameElements(lhs.pushMethods, rhs.pushMethods)
                && sameElements(lhs.pollingServiceInstances, rhs.pollingServiceInstances)
                && sameElements(lhs.subscriptionMethods, rhs.subscriptionMethods)
                && sameElements(lhs.receivingInboxServices, rhs.receivingInboxServices)
        }
    }

    /// A Collection Information Response (`Collection_Information_Response`;
    /// libtaxii `CollectionInformationResponse`): the collections offered.
    public struct CollectionInformationResponse: TAXII11Message, RecordListResponse {
        /// `Collection_Information_Response`.
        public static let messageType = TAXII.MessageType.collectionInformationResponse
        /// The message id.
        public var messageID: String
        /// The id of the request this answers.
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// The collections (`Collection`); compared order-independently.
        public var collectionInformations: [CollectionInformation]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(),
            inResponseTo: String,
            collectionInformations: [CollectionInformation] = [],
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.collectionInformations = collectionInformations
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// `Collection` elements, `collection_informations` in the dictionary form.
        static let recordElement = "Collection"
        static let recordsKey = "collection_informations"
        static var records: WritableKeyPath<Self, [CollectionInformation]> { \.collectionInformations }
        init(answering inResponseTo: String) { self.init(inResponseTo: inResponseTo) }
    }
}

extension TAXII11.CollectionInformation {
    var dictionary: TAXII.DictionaryValue {
        var result: [String: TAXII.DictionaryValue] = [
            "collection_name": .string(collectionName), "collection_type": .string(collectionType.rawValue),
            "collection_description": .string(description), "supported_contents": supportedContents.dictionaryList,
            "push_methods": .list(pushMethods.map(\.dictionary)),
            "polling_service_instances": .list(pollingServiceInstances.map { .dictionary($0.dictionary(prefix: "poll")) }),
            "subscription_methods": .list(subscriptionMethods.map { .dictionary($0.dictionary(prefix: "subscription")) }),
            "receiving_inbox_services": .list(receivingInboxServices.map { service in
                var inbox = service.bindings.dictionary(prefix: "inbox")
                inbox["supported_contents"] = service.supportedContents.dictionaryList
                return .dictionary(inbox)
            }),
        ]
        if let available { result["available"] = .bool(available) }
        if let collectionVolume { result["collection_volume"] = .integer(collectionVolume) }
        return .dictionary(result)
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            collectionName: try reader.string("collection_name"),
            collectionType: try reader.optionalEnum("collection_type", allowed: TAXII.CollectionType.allCases) ?? .dataFeed,
            available: try reader.optionalBool("available"),
            description: try reader.string("collection_description"),
            collectionVolume: try reader.optionalInt("collection_volume"),
            supportedContents: try TAXII11.ContentBinding.list(reader, "supported_contents"),
            pushMethods: try reader.objects("push_methods") { (inner) throws(TAXIIError) in try TAXII11.PushMethod(dictionary: inner) },
            pollingServiceInstances: try reader.objects("polling_service_instances") { (inner) throws(TAXIIError) in
                try TAXII11.ServiceBindings(dictionary: inner, prefix: "poll")
            },
            subscriptionMethods: try reader.objects("subscription_methods") { (inner) throws(TAXIIError) in
                try TAXII11.ServiceBindings(dictionary: inner, prefix: "subscription")
            },
            receivingInboxServices: try reader.objects("receiving_inbox_services") { (inner) throws(TAXIIError) in
                TAXII11.ReceivingInboxService(
                    bindings: try TAXII11.ServiceBindings(dictionary: inner, prefix: "inbox"),
                    supportedContents: try TAXII11.ContentBinding.list(inner, "supported_contents")
                )
            }
        )
    }
}

extension TAXII11.CollectionInformation {
    func text(prefix: String) -> String {
        var result = prefix + "=== Data Collection Information ===\n"
        result += prefix + "  Collection Name: \(collectionName)\n"
        result += prefix + "  Collection Type: \(collectionType.rawValue)\n"
        result += prefix + "  Available: \(TextForm.python(available))\n"
        result += prefix + "  Collection Description: \(description)\n"
        if let collectionVolume, collectionVolume != 0 { result += prefix + "  Volume: \(collectionVolume)\n" }
        if supportedContents.isEmpty { result += prefix + "  Supported Content: All\n" }
        for content in supportedContents {
            result += prefix + "  Supported Content: " + prefix + TextForm.indent + content.description + "\n"
        }
        for service in pollingServiceInstances {
            result += service.text(title: "Polling Service Instance", protocolLabel: "Poll Protocol", addressLabel: "Poll Address", prefix: prefix + TextForm.indent)
        }
        for service in subscriptionMethods {
            result += service.text(title: "Subscription Service", prefix: prefix + TextForm.indent)
        }
        for inbox in receivingInboxServices {
            result += inbox.bindings.text(title: "Receiving Inbox Service", prefix: prefix + TextForm.indent)
            if inbox.supportedContents.isEmpty { result += prefix + TextForm.indent + "  Supported Contents: All\n" }
            for content in inbox.supportedContents { result += prefix + TextForm.indent + "  Supported Content: \(content)\n" }
        }
        result += prefix + "==================================\n\n"
        return result
    }
}

extension TAXII11.CollectionInformationResponse {
    /// The count, then one block per collection.
    public func writeText(to text: inout String) {
        text += "Contains \(collectionInformations.count) Collection Informations\n"
        for collection in collectionInformations { text += collection.text(prefix: TextForm.indent) }
    }
}
