// A Default Query and a content document (split at the first NUL byte): the query's XML form →
// model → XML → equal; its construction checks (a matcher: targets parsed, parameters
// converted, regular expressions compiled) and the matcher run over the content.
import FuzzSupport
import TAXII

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let parts = split(bytes, into: 2)
    guard let query = try? TAXII.DefaultQuery(xml: parts[0]) else { return }
    do {
        let xml = try query.xml()
        let again = try TAXII.DefaultQuery(xml: xml)
        try require(again == query, "the query changed in a round trip:\n\(xml)")
    } catch let violation as PropertyViolation {
        throw violation
    } catch {
        throw PropertyViolation("a parsed query cannot be written and read back: \(error)")
    }
    guard let matcher = try? query.matcher() else { return }
    _ = try? matcher.matches(xml: parts[1])
}
