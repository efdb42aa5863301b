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
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = (year < 0 ? "-" : "") + pad(abs(year), 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + separator
        text += pad(Int(secondOfDay / 3600), 2) + ":" + pad(Int(secondOfDay % 3600 / 60), 2) + ":" + pad(Int(secondOfDay % 60), 2)
        if microseconds != 0 { text += "." + pad(microseconds, 6) }
        let offset = abs(offsetMinutes)
        text += (offsetMinutes < 0 ? "-" : "+") + pad(offset / 60, 2) + ":" + pad(offset % 60, 2)
        return text
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
