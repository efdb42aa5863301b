import BastionXML

extension TAXII11 {
    /// A service a Discovery Response describes (`Service_Instance`; libtaxii `ServiceInstance`).
    public struct ServiceInstance: Sendable, Equatable, ListedRecord {
        /// `service_type` (1.1 values only).
        public var serviceType: TAXII.ServiceType
        /// `service_version`, e.g. ``TAXII/VersionID/services11``.
        public var serviceVersion: String
        /// Protocol binding, address and message bindings.
        public var bindings: ServiceBindings
        /// `available`: whether the requester may use it (`nil`: unknown).
        public var available: Bool?
        /// Supported queries (`Supported_Query`, POLL services).
        public var supportedQueries: [Query]
        /// Accepted content (`Content_Binding`, INBOX services; none: all).
        public var inboxServiceAcceptedContent: [ContentBinding]
        /// A human-readable message (`Message`).
        public var message: String?

        /// Creates a service instance.
        public init(
            serviceType: TAXII.ServiceType,
            serviceVersion: String = TAXII.VersionID.services11,
            bindings: ServiceBindings,
            available: Bool? = nil,
            supportedQueries: [Query] = [],
            inboxServiceAcceptedContent: [ContentBinding] = [],
            message: String? = nil
        ) {
            self.serviceType = serviceType
            self.serviceVersion = serviceVersion
            self.bindings = bindings
            self.available = available
            self.supportedQueries = supportedQueries
            self.inboxServiceAcceptedContent = inboxServiceAcceptedContent
            self.message = message
        }

        static func parse(_ cursor: ElementCursor) throws(TAXIIError) -> ServiceInstance {
            var cursor = cursor
            let type: TAXII.ServiceType = try cursor.requiredEnumAttribute("service_type", allowed: TAXII.ServiceType.types11)
            let version = try cursor.requiredAttribute("service_version")
            let available = try cursor.boolAttribute("available")
            let bindings = try ServiceBindings.parse(&cursor)
            let queries = try cursor.readMany("Supported_Query", Query.parse)
            let content = try ContentBinding.parseList(&cursor)
            let message = cursor.optionalText("Message")
            try cursor.finish()
            return ServiceInstance(
                serviceType: type, serviceVersion: version, bindings: bindings, available: available,
                supportedQueries: queries, inboxServiceAcceptedContent: content, message: message
            )
        }

        func write(to writer: inout XMLWriter) {
            writer.start11("Service_Instance")
            writer.attribute("service_type", serviceType.rawValue)
            writer.attribute("service_version", serviceVersion)
            if let available { writer.attribute("available", available ? "true" : "false") }
            bindings.writeContent(to: &writer)
            for query in supportedQueries { query.write(to: &writer, name: "Supported_Query") }
            for binding in inboxServiceAcceptedContent { binding.write(to: &writer) }
            writer.text11("Message", message)
            writer.endElement()
        }

        /// libtaxii equality (lists in any order).
        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.serviceType == rhs.serviceType && lhs.serviceVersion == rhs.serviceVersion
                && lhs.bindings == rhs.bindings && lhs.available == rhs.available
                && sameElements(lhs.supportedQueries, rhs.supportedQueries)
                && sameElements(lhs.inboxServiceAcceptedContent, rhs.inboxServiceAcceptedContent)
                && lhs.message == rhs.message
        }
    }

    /// A Discovery Response (`Discovery_Response`; libtaxii `DiscoveryResponse`): the services offered.
    public struct DiscoveryResponse: TAXII11Message, RecordListResponse {
        /// `Discovery_Response`.
        public static let messageType = TAXII.MessageType.discoveryResponse
        /// The message id.
        public var messageID: String
        /// The id of the request this answers.
        public var inResponseTo: String
        /// Extended headers.
        public var extendedHeaders: [ExtendedHeader]
        /// The services (`Service_Instance`); compared order-independently.
        public var serviceInstances: [ServiceInstance]
        /// The signature, kept as XML.
        public var signature: XMLElement?

        /// Creates a response.
        public init(
            messageID: String = TAXII.generateMessageID(),
            inResponseTo: String,
            serviceInstances: [ServiceInstance] = [],
            extendedHeaders: [ExtendedHeader] = [],
            signature: XMLElement? = nil
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

extension TAXII11.ServiceInstance {
    var dictionary: TAXII.DictionaryValue {
        .dictionary([
            "service_type": .string(serviceType.rawValue), "services_version": .string(serviceVersion),
            "protocol_binding": .string(bindings.protocolBinding), "service_address": .string(bindings.address),
            "message_bindings": bindings.messageBindings.dictionaryList,
            "supported_query": .list(supportedQueries.map { QueryFormats.dictionary($0, kind: .supportedQuery) }),
            "inbox_service_accepted_content": inboxServiceAcceptedContent.dictionaryList,
            "available": available.map { .bool($0) } ?? .null, "message": TAXII.DictionaryValue(message),
        ])
    }

    init(dictionary reader: DictionaryReader) throws(TAXIIError) {
        self.init(
            serviceType: try ElementCursor.enumValue(try reader.string("service_type"), allowed: TAXII.ServiceType.types11, path: reader.keyPath("service_type")),
            serviceVersion: try reader.string("services_version"),
            bindings: TAXII11.ServiceBindings(
                protocolBinding: try reader.string("protocol_binding"), address: try reader.string("service_address"),
                messageBindings: try reader.strings("message_bindings")
            ),
            available: try reader.optionalBool("available"),
            supportedQueries: try reader.objects("supported_query") { (inner) throws(TAXIIError) in try QueryFormats.query(from: inner, kind: .supportedQuery) },
            inboxServiceAcceptedContent: try TAXII11.ContentBinding.list(reader, "inbox_service_accepted_content"),
            message: try reader.optionalString("message")
        )
    }
}

extension TAXII11.ServiceInstance {
    func text(prefix: String) -> String {
        var result = prefix + "=== Service Instance ===\n"
        result += prefix + "  Service Type: \(serviceType.rawValue)\n"
        result += prefix + "  Service Version: \(serviceVersion)\n"
        result += prefix + "  Protocol Binding: \(bindings.protocolBinding)\n"
        result += prefix + "  Service Address: \(bindings.address)\n"
        for binding in bindings.messageBindings { result += prefix + "  Message Binding: \(binding)\n" }
        if serviceType == .inbox {
            result += prefix + "  Inbox Service AC: \(TextForm.python(inboxServiceAcceptedContent.map(\.description)))\n"
        }
        result += prefix + "  Available: \(TextForm.python(available))\n"
        result += prefix + "  Message: \(TextForm.python(message))\n"
        for query in supportedQueries { result += QueryFormats.text(query, kind: .supportedQuery, prefix: prefix + TextForm.indent) }
        return result
    }
}
