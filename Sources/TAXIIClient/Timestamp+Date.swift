import Foundation
import TAXII

extension TAXII.Timestamp {
    /// A timestamp for `date` in UTC, written as libtaxii writes timestamps
    /// (`2015-01-01T00:00:00+00:00`, microseconds when not zero).
    public init(date: Date) {
        self.init(secondsSince1970: date.timeIntervalSince1970)
    }

    /// The instant as a `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: secondsSince1970)
    }
}
