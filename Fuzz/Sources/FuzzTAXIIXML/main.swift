// bytes → TAXII.validate(xml:) (anything goes) and TAXII.message(fromXML:) → xml() → parsed
// again → equal, and written again the same.
import FuzzSupport
import TAXII

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    _ = TAXII.validate(xml: bytes)
    guard let message = try? TAXII.message(fromXML: bytes) else { return }
    _ = message.text
    let xml: String
    let again: TAXII.Message
    do {
        xml = try message.xml()
        again = try TAXII.message(fromXML: xml)
    } catch {
        throw PropertyViolation("a parsed message cannot be written and read back: \(error)")
    }
    try require(again == message, "the message changed in a round trip:\n\(xml)")
    try require((try? again.xml()) == xml, "writing is not stable:\n\(xml)")
}
