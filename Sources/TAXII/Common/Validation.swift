import BastionXML

extension TAXII {
    /// Checks a TAXII message (either version) against the XML binding and
    /// returns every structural error found, each naming its element path:
    /// missing required elements and attributes, values outside an
    /// enumeration, bad timestamps, wrong cardinality, unexpected or
    /// misplaced elements, status details a status type requires.
    ///
    /// Parsing (``message(fromXML:)-(String)``) stops at the first error;
    /// validation reads on with stand-in values and reports them all. An
    /// empty result means the document is a valid message. XML that does not
    /// parse, and a root that is no TAXII message, give a single error.
    public static func validate(xml: String) -> [TAXIIError] {
        do {
            return validate(element: try TAXIIError.parse(xml))
        } catch {
            return [error]
        }
    }

    /// Validates a message given as bytes (see ``validate(xml:)-(String)``).
    public static func validate(xml bytes: [UInt8]) -> [TAXIIError] {
        do {
            return validate(element: try TAXIIError.parse(bytes))
        } catch {
            return [error]
        }
    }

    /// Validates an already-parsed root element (see ``validate(xml:)-(String)``).
    public static func validate(element: XMLElement) -> [TAXIIError] {
        let collector = StructuralErrorCollector()
        do {
            _ = try message(from: element, collector: collector)
        } catch {
            collector.record(error)
        }
        return collector.errors
    }
}

extension TAXIIMessage {
    /// Every structural error of the message as it would be written (see
    /// ``TAXII/validate(xml:)-(String)``): values built in code are checked
    /// as the XML binding checks them — empty required values, TAXII 1.0
    /// message ids that are not digits, status details a status type
    /// requires, a `more` result without a result id, and so on.
    public func validate() -> [TAXIIError] {
        do {
            return TAXII.validate(xml: try xml())
        } catch {
            return [error]
        }
    }
}

extension TAXII.Message {
    /// Every structural error of the message (see ``TAXIIMessage/validate()``).
    public func validate() -> [TAXIIError] { message.validate() }
}
