import BastionXML

extension TAXII10 {
    /// A service a Discovery Response describes (`Service_Instance`; libtaxii `ServiceInstance`).
    public struct ServiceInstance: Sendable, Equatable, ListedRecord {
        /// `service_type` (1.0 values: `FEED_MANAGEMENT`, not `COLLECTION_MANAGEMENT`).
        public var serviceType: TAXII.ServiceType
        /// `service_version`, e.g. ``TAXII/VersionID/services10``.
        public var serviceVersion: String
        /// Protocol binding, address and message bindings.
        public var bindings: ServiceBindings
        /// `available` (`nil`: not stated).
        public var available: Bool?
        /// Accepted content (`Content_Binding`, INBOX services; none: all); compared order-independently.
        public var inboxServiceAcceptedContent: [String]
        /// A human-readable message (`Message`).
        public var message: String?

        /// Creates a service instance.
        public init(
            serviceType: TAXII.ServiceType, serviceVersion: String = TAXII.VersionID.services10, bindings: ServiceBindings,
            available: Bool? = nil, inboxServiceAcceptedContent: [String] = [], message: String? = nil
        ) {
            self.serviceType = serviceType
            self.serviceVersion = serviceVersion
            self.bindings = bindings
            self.available = available
            self.inboxServiceAcceptedContent = inboxServiceAcceptedContent
            self.message = message
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.serviceType == rhs.serviceType && lhs.serviceVersion == rhs.serviceVersion && lhs.bindings == rhs.bindings
                && lhs.available == rhs.available && lhs.message == rhs.message
                && sameElements(lhs.inboxServiceAcceptedContent, rhs.inboxServiceAcceptedContent)
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> ServiceInstance {
            var cursor = cursor
            let instance = ServiceInstance(
                serviceType: try cursor.requiredEnumAttribute("service_type", allowed: TAXII.ServiceType.types10),
                serviceVersion: try cursor.requiredAttribute("service_version"),
                bindings: try ServiceBindings.parse(&cursor), available: try cursor.boolAttribute("available"),
                inboxServiceAcceptedContent: try cursor.tokens("Content_Binding"), message: cursor.optionalText("Message")
            )
            try cursor.finish()
            return instance
        }

        func write(to writer: inout XMLWriter) {
            writer.start("Service_Instance", .v10)
            writer.attribute("service_type", serviceType.rawValue)
            writer.attribute("service_version", serviceVersion)
            if let available { writer.boolAttribute("available", available) }
            bindings.writeContent(to: &writer, version: .v10)
            for binding in inboxServiceAcceptedContent { writer.text("Content_Binding", binding, .v10) }
            writer.text("Message", message, .v10)
            writer.endElement()
        }

        var dictionary: TAXII.DictionaryValue {
            .dictionary([
                "service_type": .string(serviceType.rawValue), "services_version": .string(serviceVersion),
                "protocol_binding": .string(bindings.protocolBinding), "service_address": .string(bindings.address),
                "message_bindings": bindings.messageBindings.dictionaryList,
                "inbox_service_accepted_content": inboxServiceAcceptedContent.dictionaryList,
                "available": available.map { .bool($0) } ?? .null, "message": TAXII.DictionaryValue(message),
            ])
        }

        init(dictionary reader: DictionaryReader) throws(TAXIIError) {
            self.init(
                serviceType: try ElementCursor.enumValue(try reader.string("service_type"), allowed: TAXII.ServiceType.types10, path: reader.keyPath("service_type")),
                serviceVersion: try reader.string("services_version"),
                bindings: ServiceBindings(
                    protocolBinding: try reader.string("protocol_binding"), address: try reader.string("service_address"),
                    messageBindings: try reader.strings("message_bindings")
                ),
                available: try reader.optionalBool("available"),
                inboxServiceAcceptedContent: try reader.strings("inbox_service_accepted_content"),
                message: try reader.optionalString("message")
            )
        }

        func text(prefix: String) -> String {
            var result = prefix + "=== Service Instance===\n"
            result += prefix + "  Service Type: \(serviceType.rawValue)\n"
            result += prefix + "  Services Version: \(serviceVersion)\n"
            result += prefix + "  Protocol Binding: \(bindings.protocolBinding)\n"
            result += prefix + "  Address: \(bindings.address)\n"
            for binding in bindings.messageBindings { result += prefix + "  Message Binding: \(binding)\n" }
            if inboxServiceAcceptedContent.isEmpty { result += prefix + "  Inbox Service Accepts: None\n" }
            for content in inboxServiceAcceptedContent { result += prefix + "  Inbox Service Accepts: \(content)\n" }
            result += prefix + "  Available: \(TextForm.python(available))\n"
            result += prefix + "  Message: \(TextForm.python(message))\n"
            return result
        }
    }

    /// A Discovery Response (`Discovery_Response`; libtaxii `DiscoveryResponse`).
    public struct DiscoveryResponse: TAXII10Message, RecordListResponse {
        /// `Discovery_Response`.
        public static let messageType = TAXII.MessageType.discoveryResponse
        /// The message id (digits).
        public var messageID: String
        /// The id of the request this answers (digits).
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// The services (`Service_Instance`); compared order-independently.
        public var serviceInstances: [ServiceInstance]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(), inResponseTo: String, serviceInstances: [ServiceInstance] = [],
            extendedHeaders: [ExtendedHeader] = [], signature: XMLElement? = nil
        ) {
            self.messageID = messageID
            self.inResponseTo = inResponseTo
            self.serviceInstances = serviceInstances
            self.extendedHeaders = extendedHeaders
            self.signature = signature
        }

        /// `Service_Instance` elements, `service_instances` in the dictionary form.
        static let recordElement = "Service_Instance"
        static let recordsKey = "service_instances"
        static var records: WritableKeyPath<Self, [ServiceInstance]> { \.serviceInstances }
        init(answering inResponseTo: String) { self.init(inResponseTo: inResponseTo) }
    }
}
