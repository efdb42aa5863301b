extension TAXII {
    /// A status type (`status_type`): one of the well-known values (libtaxii
    /// `ST_*`) or any URI, which receivers treat like ``failure``.
    public struct StatusType: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The value as written on the wire.
        public var rawValue: String
        /// Wraps any value.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Wraps a literal value.
        public init(stringLiteral value: String) { self.rawValue = value }
        /// The wire value.
        public var description: String { rawValue }

        /// `ST_BAD_MESSAGE`.
        public static let badMessage: StatusType = "BAD_MESSAGE"
        /// `ST_DENIED`.
        public static let denied: StatusType = "DENIED"
        /// `ST_FAILURE`.
        public static let failure: StatusType = "FAILURE"
        /// `ST_NOT_FOUND`.
        public static let notFound: StatusType = "NOT_FOUND"
        /// `ST_POLLING_UNSUPPORTED`.
        public static let pollingUnsupported: StatusType = "POLLING_UNSUPPORTED"
        /// `ST_RETRY`.
        public static let retry: StatusType = "RETRY"
        /// `ST_SUCCESS`.
        public static let success: StatusType = "SUCCESS"
        /// `ST_UNAUTHORIZED`.
        public static let unauthorized: StatusType = "UNAUTHORIZED"
        /// `ST_UNSUPPORTED_MESSAGE_BINDING` (wire value `UNSUPPORTED_MESSAGE`).
        public static let unsupportedMessageBinding: StatusType = "UNSUPPORTED_MESSAGE"
        /// `ST_UNSUPPORTED_CONTENT_BINDING` (wire value `UNSUPPORTED_CONTENT`).
        public static let unsupportedContentBinding: StatusType = "UNSUPPORTED_CONTENT"
        /// `ST_UNSUPPORTED_PROTOCOL`.
        public static let unsupportedProtocol: StatusType = "UNSUPPORTED_PROTOCOL"
        /// `ST_ASYNCHRONOUS_POLL_ERROR` (1.1).
        public static let asynchronousPollError: StatusType = "ASYNCHRONOUS_POLL_ERROR"
        /// `ST_DESTINATION_COLLECTION_ERROR` (1.1).
        public static let destinationCollectionError: StatusType = "DESTINATION_COLLECTION_ERROR"
        /// `ST_INVALID_RESPONSE_PART` (1.1).
        public static let invalidResponsePart: StatusType = "INVALID_RESPONSE_PART"
        /// `ST_NETWORK_ERROR` (1.1).
        public static let networkError: StatusType = "NETWORK_ERROR"
        /// `ST_PENDING` (1.1).
        public static let pending: StatusType = "PENDING"
        /// `ST_UNSUPPORTED_QUERY` (1.1).
        public static let unsupportedQuery: StatusType = "UNSUPPORTED_QUERY"
        /// `ST_UNSUPPORTED_CAPABILITY_MODULE` (Default Query).
        public static let unsupportedCapabilityModule: StatusType = "UNSUPPORTED_CAPABILITY_MODULE"
        /// `ST_UNSUPPORTED_TARGETING_EXPRESSION` (Default Query).
        public static let unsupportedTargetingExpression: StatusType = "UNSUPPORTED_TARGETING_EXPRESSION"
        /// `ST_UNSUPPORTED_TARGETING_EXPRESSION_ID` (Default Query).
        public static let unsupportedTargetingExpressionID: StatusType = "UNSUPPORTED_TARGETING_EXPRESSION_ID"

        /// `ST_TYPES_10`: the 11 TAXII 1.0 status types.
        public static let types10: [StatusType] = [
            .badMessage, .denied, .failure, .notFound, .pollingUnsupported, .retry, .success,
            .unauthorized, .unsupportedMessageBinding, .unsupportedContentBinding, .unsupportedProtocol,
        ]
        /// `ST_TYPES_11`: the 17 TAXII 1.1 status types.
        public static let types11: [StatusType] = [
            .asynchronousPollError, .badMessage, .denied, .destinationCollectionError, .failure,
            .invalidResponsePart, .networkError, .notFound, .pending, .pollingUnsupported, .retry,
            .success, .unauthorized, .unsupportedMessageBinding, .unsupportedContentBinding,
            .unsupportedProtocol, .unsupportedQuery,
        ]
        /// The three status types TAXII Default Query adds.
        public static let defaultQueryTypes: [StatusType] = [
            .unsupportedCapabilityModule, .unsupportedTargetingExpression, .unsupportedTargetingExpressionID,
        ]
    }

    /// Status detail keys (libtaxii `SD_*`), written as `<Detail name="KEY">`.
    public enum StatusDetailKey {
        /// `SD_ACCEPTABLE_DESTINATION` (DESTINATION_COLLECTION_ERROR; repeatable).
        public static let acceptableDestination = "ACCEPTABLE_DESTINATION"
        /// `SD_MAX_PART_NUMBER` (INVALID_RESPONSE_PART; required integer).
        public static let maxPartNumber = "MAX_PART_NUMBER"
        /// `SD_ITEM` (NOT_FOUND).
        public static let item = "ITEM"
        /// `SD_ESTIMATED_WAIT` (PENDING required, RETRY optional; integer seconds).
        public static let estimatedWait = "ESTIMATED_WAIT"
        /// `SD_RESULT_ID` (PENDING; required).
        public static let resultID = "RESULT_ID"
        /// `SD_WILL_PUSH` (PENDING; required boolean).
        public static let willPush = "WILL_PUSH"
        /// `SD_SUPPORTED_BINDING` (UNSUPPORTED_MESSAGE; repeatable).
        public static let supportedBinding = "SUPPORTED_BINDING"
        /// `SD_SUPPORTED_CONTENT` (UNSUPPORTED_CONTENT; repeatable, `binding_id[>subtype,…]`).
        public static let supportedContent = "SUPPORTED_CONTENT"
        /// `SD_SUPPORTED_PROTOCOL` (UNSUPPORTED_PROTOCOL; repeatable).
        public static let supportedProtocol = "SUPPORTED_PROTOCOL"
        /// `SD_SUPPORTED_QUERY` (UNSUPPORTED_QUERY; repeatable).
        public static let supportedQuery = "SUPPORTED_QUERY"
        /// `SD_CAPABILITY_MODULE` (Default Query).
        public static let capabilityModule = "CAPABILITY_MODULE"
        /// `SD_PREFERRED_SCOPE` (Default Query).
        public static let preferredScope = "PREFERRED_SCOPE"
        /// `SD_ALLOWED_SCOPE` (Default Query).
        public static let allowedScope = "ALLOWED_SCOPE"
        /// `SD_TARGETING_EXPRESSION_ID` (Default Query).
        public static let targetingExpressionID = "TARGETING_EXPRESSION_ID"

        /// `SD_TYPES_11`.
        public static let types11: [String] = [
            acceptableDestination, maxPartNumber, item, estimatedWait, resultID, willPush,
            supportedBinding, supportedContent, supportedProtocol, supportedQuery,
        ]
    }

    /// Subscription actions (libtaxii `ACT_*`).
    public enum SubscriptionAction: String, Sendable, CaseIterable {
        /// `ACT_SUBSCRIBE`.
        case subscribe = "SUBSCRIBE"
        /// `ACT_UNSUBSCRIBE`.
        case unsubscribe = "UNSUBSCRIBE"
        /// `ACT_PAUSE` (1.1).
        case pause = "PAUSE"
        /// `ACT_RESUME` (1.1).
        case resume = "RESUME"
        /// `ACT_STATUS`.
        case status = "STATUS"
        /// `ACT_TYPES_10`.
        public static let types10: [SubscriptionAction] = [.subscribe, .unsubscribe, .status]
        /// `ACT_TYPES_11`.
        public static let types11: [SubscriptionAction] = [.subscribe, .pause, .resume, .unsubscribe, .status]
    }

    /// Service types (libtaxii `SVC_*`).
    public enum ServiceType: String, Sendable, CaseIterable {
        /// `SVC_INBOX`.
        case inbox = "INBOX"
        /// `SVC_POLL`.
        case poll = "POLL"
        /// `SVC_FEED_MANAGEMENT` (1.0 only).
        case feedManagement = "FEED_MANAGEMENT"
        /// `SVC_COLLECTION_MANAGEMENT` (1.1 only; "Feed Management" renamed).
        case collectionManagement = "COLLECTION_MANAGEMENT"
        /// `SVC_DISCOVERY`.
        case discovery = "DISCOVERY"
        /// `SVC_TYPES_10`.
        public static let types10: [ServiceType] = [.inbox, .poll, .feedManagement, .discovery]
        /// `SVC_TYPES_11`.
        public static let types11: [ServiceType] = [.inbox, .poll, .collectionManagement, .discovery]
    }

    /// Subscription statuses (libtaxii `SS_*`, 1.1).
    public enum SubscriptionStatus: String, Sendable, CaseIterable {
        /// `SS_ACTIVE` (the default).
        case active = "ACTIVE"
        /// `SS_PAUSED`.
        case paused = "PAUSED"
        /// `SS_UNSUBSCRIBED`.
        case unsubscribed = "UNSUBSCRIBED"
    }

    /// Response types (libtaxii `RT_*`, 1.1).
    public enum ResponseType: String, Sendable, CaseIterable {
        /// `RT_FULL` (the default).
        case full = "FULL"
        /// `RT_COUNT_ONLY`.
        case countOnly = "COUNT_ONLY"
    }

    /// Collection types (libtaxii `CT_*`, 1.1).
    public enum CollectionType: String, Sendable, CaseIterable {
        /// `CT_DATA_FEED` (the default).
        case dataFeed = "DATA_FEED"
        /// `CT_DATA_SET`.
        case dataSet = "DATA_SET"
    }
}
