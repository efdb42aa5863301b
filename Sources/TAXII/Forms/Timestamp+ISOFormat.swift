extension TAXII.Timestamp {
    /// The timestamp as Python's `datetime.isoformat()` writes it, in the
    /// timezone it was written with: `2015-01-01T00:00:00+00:00`, with six
    /// fractional digits when there is a fraction. The dictionary form uses this.
    public var isoFormat: String { pythonFormat(separator: "T") }

    /// The timestamp as Python's `str(datetime)` writes it (a space between
    /// date and time), which libtaxii's text form uses in places.
    public var pythonDescription: String { pythonFormat(separator: " ") }

    private func pythonFormat(separator: String) -> String {
        Self.format(
            localSeconds: secondsSinceEpoch + Int64(timezoneOffsetMinutes * 60), microseconds: microseconds,
            offsetMinutes: timezoneOffsetMinutes, separator: separator
        )
    }

    /// `YYYY-MM-DD<separator>hh:mm:ss[.ffffff]±hh:mm` for a local time
    /// (seconds since the epoch in that timezone) and its offset.
    static func format(localSeconds local: Int64, microseconds: Int, offsetMinutes: Int, separator: String) -> String {
        var days = local / 86_400
        var secondOfDay = local % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Self.civilFromDays(Int(days))
        let offset = abs(offsetMinutes)
        // Written digit by digit into one buffer: timestamps are written for every block a poll
        // returns, and building them from padded substrings cost more than the rest of a label.
        return String(unsafeUninitializedCapacity: 128 + separator.utf8.count) { buffer in
            var end = 0
            func put(_ byte: UInt8) {
                buffer[end] = byte
                end += 1
            }
            func put(_ value: Int, width: Int) {
                var digits = 1
                var rest = value / 10
                while rest > 0 {
                    digits += 1
                    rest /= 10
                }
                var remaining = value
                let count = max(width, digits)
                for position in stride(from: end + count - 1, through: end, by: -1) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                end += count
            }
            if year < 0 { put(UInt8(ascii: "-")) }
            put(abs(year), width: 4)
            put(UInt8(ascii: "-"))
            put(month, width: 2)
            put(UInt8(ascii: "-"))
            put(day, width: 2)
            for byte in separator.utf8 { put(byte) }
            put(Int(secondOfDay / 3600), width: 2)
            put(UInt8(ascii: ":"))
            put(Int(secondOfDay % 3600 / 60), width: 2)
            put(UInt8(ascii: ":"))
            put(Int(secondOfDay % 60), width: 2)
            if microseconds != 0 {
                put(UInt8(ascii: "."))
                put(microseconds, width: 6)
            }
            put(UInt8(ascii: offsetMinutes < 0 ? "-" : "+"))
            put(offset / 60, width: 2)
            put(UInt8(ascii: ":"))
            put(offset % 60, width: 2)
            return end
        }
    }

    /// Parses an ISO 8601 date-time with a timezone as the dictionary form
    /// carries it: the binding's lexical form, or the same with a space instead of `T`.
    public init?(isoFormat text: String) {
        if let parsed = TAXII.Timestamp(text) {
            self = parsed
            return
        }
        var bytes = Array(text.utf8)
        guard bytes.count > 10, bytes[10] == UInt8(ascii: " ") else { return nil }
        bytes[10] = UInt8(ascii: "T")
        guard let parsed = TAXII.Timestamp(String(decoding: bytes, as: UTF8.self)) else { return nil }
        self = parsed
    }
}
