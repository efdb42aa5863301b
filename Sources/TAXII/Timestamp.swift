extension TAXII {
    /// A TAXII timestamp label: an `xs:dateTime` with a timezone (`Z` or
    /// `±hh:mm`) and a fraction of the second of any length.
    ///
    /// `xs:dateTime` puts no limit on the fractional digits, and Java and Go
    /// producers write nine; like libtaxii, Bastion keeps microseconds: digits
    /// past the sixth are read (they must be digits) and dropped, not rounded.
    ///
    /// The lexical form is kept as written (``lexicalForm``) and written back
    /// unchanged; equality compares the instant (as libtaxii compares aware
    /// `datetime`s): `2015-01-01T00:00:00Z` equals `2015-01-01T01:00:00+01:00`.
    public struct Timestamp: Sendable, Hashable, CustomStringConvertible {
        /// The text as received (or as made by ``init(secondsSince1970:)``).
        public let lexicalForm: String
        /// Seconds since 1970-01-01T00:00:00Z.
        public let secondsSinceEpoch: Int64
        /// The fraction of the second, in microseconds (0…999 999).
        public let microseconds: Int
        /// The timezone offset written, in minutes east of UTC.
        public let timezoneOffsetMinutes: Int

        /// Parses a timestamp label.
        ///
        /// - Returns: `nil` unless `text` matches
        ///   `-?YYYY-MM-DDThh:mm:ss(.f+)?(Z|±hh:mm)` with valid field ranges.
        public init?(_ text: String) {
            let bytes = Array(text.utf8)
            var i = 0
            func digits(_ count: Int) -> Int? {
                guard i + count <= bytes.count else { return nil }
                var value = 0
                for _ in 0..<count {
                    let byte = bytes[i]
                    guard byte >= 0x30, byte <= 0x39 else { return nil }
                    value = value * 10 + Int(byte - 0x30)
                    i += 1
                }
                return value
            }
            func expect(_ character: UInt8) -> Bool {
                guard i < bytes.count, bytes[i] == character else { return false }
                i += 1
                return true
            }
            let negativeYear = expect(UInt8(ascii: "-"))
            guard var year = digits(4), expect(UInt8(ascii: "-")),
                  let month = digits(2), expect(UInt8(ascii: "-")),
                  let day = digits(2), expect(UInt8(ascii: "T")),
                  let hour = digits(2), expect(UInt8(ascii: ":")),
                  let minute = digits(2), expect(UInt8(ascii: ":")),
                  let second = digits(2)
            else { return nil }
            if negativeYear { year = -year }
            var micros = 0
            if expect(UInt8(ascii: ".")) {
                var count = 0
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                    // Only the first six digits count; the rest are truncated, so
                    // `micros` never exceeds 999 999 however long the fraction is.
                    if count < 6 { micros = micros * 10 + Int(bytes[i] - 0x30) }
                    count += 1
                    i += 1
                }
                guard count >= 1 else { return nil }
                for _ in min(count, 6)..<6 { micros *= 10 }
            }
            var offset = 0
            if expect(UInt8(ascii: "Z")) {
                offset = 0
            } else {
                let sign: Int
                if expect(UInt8(ascii: "+")) { sign = 1 } else if expect(UInt8(ascii: "-")) { sign = -1 } else { return nil }
                guard let offsetHours = digits(2), expect(UInt8(ascii: ":")), let offsetMinutes = digits(2),
                      offsetHours <= 14, offsetMinutes <= 59
                else { return nil }
                offset = sign * (offsetHours * 60 + offsetMinutes)
            }
            guard i == bytes.count,
                  (1...12).contains(month),
                  (1...Timestamp.daysInMonth(year: year, month: month)).contains(day),
                  hour <= 23, minute <= 59, second <= 59
            else { return nil }
            let days = Timestamp.daysFromCivil(year: year, month: month, day: day)
            self.lexicalForm = text
            self.secondsSinceEpoch = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset * 60)
            self.microseconds = micros
            self.timezoneOffsetMinutes = offset
        }

        /// Makes a timestamp for the instant `interval` seconds after
        /// 1970-01-01T00:00:00Z, in UTC, written as libtaxii writes timestamps
        /// (`2015-01-01T00:00:00+00:00`, microseconds when not zero).
        /// `TAXIIClient` adds `init(date:)` and `date` for Foundation's `Date`.
        ///
        /// An interval outside years 0001…9999 (the four-digit years a timestamp label has),
        /// infinite ones included, saturates at the nearer end; NaN reads as 0.
        public init(secondsSince1970 interval: Double) {
            let (earliest, latest) = (-62_135_596_800.0, 253_402_300_799.0)
            let interval = interval.isNaN ? 0 : min(max(interval, earliest), latest)
            var seconds = Int64(interval.rounded(.down))
            var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
            if micros >= 1_000_000 {
                seconds += 1
                micros -= 1_000_000
            }
            self.lexicalForm = Timestamp.format(localSeconds: seconds, microseconds: micros, offsetMinutes: 0, separator: "T")
            self.secondsSinceEpoch = seconds
            self.microseconds = micros
            self.timezoneOffsetMinutes = 0
        }

        /// Makes the timestamp `microseconds` after 1970-01-01T00:00:00Z, in UTC, exactly (a
        /// server's timestamp labels). Outside years 0001…9999 it saturates at the nearer end.
        public init(microsecondsSince1970 microseconds: Int64) {
            let (earliest, latest) = (Int64(-62_135_596_800), Int64(253_402_300_799))
            var seconds = microseconds / 1_000_000
            var micros = Int(microseconds % 1_000_000)
            if micros < 0 {
                seconds -= 1
                micros += 1_000_000
            }
            if seconds < earliest { (seconds, micros) = (earliest, 0) }
            if seconds > latest { (seconds, micros) = (latest, 999_999) }
            self.lexicalForm = Timestamp.format(localSeconds: seconds, microseconds: micros, offsetMinutes: 0, separator: "T")
            self.secondsSinceEpoch = seconds
            self.microseconds = micros
            self.timezoneOffsetMinutes = 0
        }

        /// The instant in microseconds since 1970-01-01T00:00:00Z (years 0001…9999 always fit).
        public var microsecondsSince1970: Int64 {
            secondsSinceEpoch * 1_000_000 + Int64(microseconds)
        }

        /// The instant, in seconds since 1970-01-01T00:00:00Z.
        public var secondsSince1970: Double {
            Double(secondsSinceEpoch) + Double(microseconds) / 1_000_000
        }

        /// The lexical form.
        public var description: String { lexicalForm }

        /// Same instant.
        public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
            lhs.secondsSinceEpoch == rhs.secondsSinceEpoch && lhs.microseconds == rhs.microseconds
        }

        /// Hashes the instant.
        public func hash(into hasher: inout Hasher) {
            hasher.combine(secondsSinceEpoch)
            hasher.combine(microseconds)
        }

        static func daysInMonth(year: Int, month: Int) -> Int {
            switch month {
            case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date.
        static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let dayOfEra = z - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let mp = (5 * dayOfYear + 2) / 153
            let day = dayOfYear - (153 * mp + 2) / 5 + 1
            let month = mp < 10 ? mp + 3 : mp - 9
            return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
        }
    }
}
