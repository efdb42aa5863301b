extension TAXII {
    /// A Status Message's essentials, the same for both versions.
    public struct StatusSummary: Sendable, Equatable {
        /// The status type (`SUCCESS`, `FAILURE`, `PENDING`, …).
        public var type: StatusType
        /// The message text (TAXII 1.0: the message, else the status detail).
        public var message: String?
        /// For `PENDING` (TAXII 1.1), the result id to fetch later with Poll Fulfillment.
        public var resultID: String?

        /// Creates a summary.
        public init(type: StatusType, message: String? = nil, resultID: String? = nil) {
            self.type = type
            self.message = message
            self.resultID = resultID
        }

        /// The first line of the message, for a one-line report.
        public var firstLine: String? {
            message?.split(whereSeparator: \.isNewline).first.map(String.init)
        }
    }
}

extension TAXII.Message {
    /// The status type, message and result id, if this is a Status Message of either version.
    public var status: TAXII.StatusSummary? {
        switch self {
        case .taxii11(.statusMessage(let status)):
            TAXII.StatusSummary(type: status.statusType, message: status.message, resultID: status.resultID)
        case .taxii10(.statusMessage(let status)):
            TAXII.StatusSummary(type: status.statusType, message: status.message ?? status.statusDetail)
        default:
            nil
        }
    }
}
