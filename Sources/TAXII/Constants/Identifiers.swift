extension TAXII {
    /// XML namespaces (libtaxii `NS_MAP`, plus XML-DSig).
    public enum Namespace {
        /// TAXII 1.0 XML Message Binding (libtaxii prefix `taxii`).
        public static let taxii10 = "http://taxii.mitre.org/messages/taxii_xml_binding-1"
        /// TAXII 1.1 XML Message Binding (libtaxii prefix `taxii_11`).
        public static let taxii11 = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1"
        /// TAXII Default Query 1.0 (libtaxii prefix `tdq`).
        public static let defaultQuery = "http://taxii.mitre.org/query/taxii_default_query-1"
        /// XML Digital Signature (`ds:Signature`).
        public static let xmlDSig = "http://www.w3.org/2000/09/xmldsig#"
        /// libtaxii's `NS_MAP`: prefix → namespace.
        public static let map: [String: String] = ["taxii": taxii10, "taxii_11": taxii11, "tdq": defaultQuery]
    }

    /// Version ids of TAXII specifications and bindings (libtaxii `VID_*`).
    public enum VersionID {
        /// `VID_TAXII_SERVICES_10`: TAXII Services Specification 1.0.
        public static let services10 = "urn:taxii.mitre.org:services:1.0"
        /// `VID_TAXII_SERVICES_11`: TAXII Services Specification 1.1.
        public static let services11 = "urn:taxii.mitre.org:services:1.1"
        /// `VID_TAXII_XML_10`: TAXII XML Message Binding 1.0.
        public static let xml10 = "urn:taxii.mitre.org:message:xml:1.0"
        /// `VID_TAXII_XML_11`: TAXII XML Message Binding 1.1.
        public static let xml11 = "urn:taxii.mitre.org:message:xml:1.1"
        /// `VID_TAXII_HTTP_10`: TAXII HTTP Protocol Binding 1.0.
        public static let http10 = "urn:taxii.mitre.org:protocol:http:1.0"
        /// `VID_TAXII_HTTPS_10`: TAXII HTTPS Protocol Binding 1.0.
        public static let https10 = "urn:taxii.mitre.org:protocol:https:1.0"
        /// `VID_CERT_EU_JSON_10`: CERT-EU JSON Message Binding (third party).
        public static let certEUJSON10 = "urn:cert.europa.eu:message:json:1.0"
    }

    /// Well-known content binding ids (libtaxii `CB_*`). Any URI is a valid content binding.
    public enum ContentBindingID {
        /// `CB_STIX_XML_10`: STIX XML 1.0.
        public static let stixXML10 = "urn:stix.mitre.org:xml:1.0"
        /// `CB_STIX_XML_101`: STIX XML 1.0.1.
        public static let stixXML101 = "urn:stix.mitre.org:xml:1.0.1"
        /// `CB_STIX_XML_11`: STIX XML 1.1.
        public static let stixXML11 = "urn:stix.mitre.org:xml:1.1"
        /// `CB_STIX_XML_111`: STIX XML 1.1.1.
        public static let stixXML111 = "urn:stix.mitre.org:xml:1.1.1"
        /// `CB_STIX_XML_12`: STIX XML 1.2.
        public static let stixXML12 = "urn:stix.mitre.org:xml:1.2"
        /// `CB_CAP_11`: CAP 1.1.
        public static let cap11 = "urn:oasis:names:tc:emergency:cap:1.1"
        /// `CB_XENC_122002`: XML Encryption.
        public static let xenc122002 = "http://www.w3.org/2001/04/xmlenc#"
        /// `CB_SMIME`: S/MIME.
        public static let smime = "application/x-pkcs7-mime"
        /// Every STIX 1.x XML binding, oldest first.
        public static let stixXML: [String] = [stixXML10, stixXML101, stixXML11, stixXML111, stixXML12]
    }

    /// Query format ids (libtaxii `FID_*`).
    public enum QueryFormatID {
        /// `FID_TAXII_DEFAULT_QUERY_10`: TAXII Default Query 1.0.
        public static let defaultQuery10 = "urn:taxii.mitre.org:query:default:1.0"
    }

    /// Message element names (libtaxii `MSG_*`), for TAXII 1.0 and 1.1.
    public enum MessageType: String, Sendable, CaseIterable {
        /// `MSG_STATUS_MESSAGE`.
        case statusMessage = "Status_Message"
        /// `MSG_DISCOVERY_REQUEST`.
        case discoveryRequest = "Discovery_Request"
        /// `MSG_DISCOVERY_RESPONSE`.
        case discoveryResponse = "Discovery_Response"
        /// `MSG_FEED_INFORMATION_REQUEST` (1.0 only).
        case feedInformationRequest = "Feed_Information_Request"
        /// `MSG_FEED_INFORMATION_RESPONSE` (1.0 only).
        case feedInformationResponse = "Feed_Information_Response"
        /// `MSG_COLLECTION_INFORMATION_REQUEST` (1.1 only).
        case collectionInformationRequest = "Collection_Information_Request"
        /// `MSG_COLLECTION_INFORMATION_RESPONSE` (1.1 only).
        case collectionInformationResponse = "Collection_Information_Response"
        /// `MSG_MANAGE_COLLECTION_SUBSCRIPTION_REQUEST` / `MSG_MANAGE_FEED_SUBSCRIPTION_REQUEST`.
        case subscriptionManagementRequest = "Subscription_Management_Request"
        /// `MSG_MANAGE_COLLECTION_SUBSCRIPTION_RESPONSE` / `MSG_MANAGE_FEED_SUBSCRIPTION_RESPONSE`.
        case subscriptionManagementResponse = "Subscription_Management_Response"
        /// `MSG_POLL_REQUEST`.
        case pollRequest = "Poll_Request"
        /// `MSG_POLL_RESPONSE`.
        case pollResponse = "Poll_Response"
        /// `MSG_INBOX_MESSAGE`.
        case inboxMessage = "Inbox_Message"
        /// `MSG_POLL_FULFILLMENT_REQUEST` (1.1 only; the element is `Poll_Fulfillment`).
        case pollFulfillmentRequest = "Poll_Fulfillment"

        /// `MSG_TYPES_10`.
        public static let types10: [MessageType] = [
            .statusMessage, .discoveryRequest, .discoveryResponse, .feedInformationRequest,
            .feedInformationResponse, .subscriptionManagementRequest, .subscriptionManagementResponse,
            .pollRequest, .pollResponse, .inboxMessage,
        ]
        /// `MSG_TYPES_11`.
        public static let types11: [MessageType] = [
            .statusMessage, .discoveryRequest, .discoveryResponse, .collectionInformationRequest,
            .collectionInformationResponse, .subscriptionManagementRequest, .subscriptionManagementResponse,
            .pollRequest, .pollResponse, .inboxMessage, .pollFulfillmentRequest,
        ]
    }
}
