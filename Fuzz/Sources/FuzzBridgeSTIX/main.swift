// STIX content → the bridge's address observables: never a trap; every address read back from
// its own text is itself, no indicator names an address twice, and content that is refused
// gives exactly one reason.
import Bridge
import FuzzSupport

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let text = String(validating: bytes, as: UTF8.self) else { return }
    let extraction = STIXObservables.extract(xml: text)
    for indicator in extraction.indicators {
        try require(Set(indicator.addresses).count == indicator.addresses.count, "an address twice in \(indicator.id)")
        for address in indicator.addresses {
            try require(NetworkAddress(address.description) == address, "\(address) does not read back")
        }
    }
    if extraction.indicators.isEmpty, let first = extraction.skipped.first, first.value == "content" {
        try require(extraction.skipped.count == 1, "refused content with several reasons")
    }
}
