// The dictionary/JSON form: the first byte picks the version (even: 1.1, odd: 1.0), the rest is
// JSON → message → JSON → equal, and dictionary → message → equal. Like libtaxii's from_dict,
// the dictionary form checks keys and types only; a message that also passes `validate()`
// (the XML binding's structure) must survive XML → message → equal.
import FuzzSupport
import TAXII

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let first = bytes.first else { return }
    let version: TAXII.Version = first % 2 == 0 ? .v11 : .v10
    let json = String(decoding: bytes.dropFirst(), as: UTF8.self)
    guard let message = try? TAXII.message(fromJSON: json, version: version) else { return }
    let written = message.json()
    do {
        let again = try TAXII.message(fromJSON: written, version: version)
        try require(again == message, "the message changed in a JSON round trip:\n\(written)")
        let fromDictionary = try TAXII.message(fromDictionary: message.dictionary(), version: version)
        try require(fromDictionary == message, "the message changed in a dictionary round trip")
        guard message.validate().isEmpty else { return }
        let xml = try message.xml()
        let fromXML = try TAXII.message(fromXML: xml)
        try require(fromXML == message, "the message changed through XML:\n\(written)\n\(xml)")
    } catch let violation as PropertyViolation {
        throw violation
    } catch {
        throw PropertyViolation("a message read from JSON cannot be written and read back: \(error)\n\(written)")
    }
}
