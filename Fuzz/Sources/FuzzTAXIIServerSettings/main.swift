// The TAXII server's YAML settings file → TAXIIServerSettings → a configuration: never a trap;
// a configuration it makes has distinct collections, inbox destinations that exist, and page
// sizes within 1…100000.
import BastionConfig
import FuzzSupport
import TAXIIServer

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let text = String(validating: bytes, as: UTF8.self),
          let settings = try? TAXIIServerSettings.decode(yaml: text, file: "fuzz.yaml"),
          let configuration = try? settings.configuration(file: "fuzz.yaml")
    else { return }
    let names = configuration.collections.map(\.name)
    try require(Set(names).count == names.count, "collections named twice: \(names)")
    try require(configuration.inboxDestinations.allSatisfy(names.contains), "an inbox destination names no collection")
    try require((1...100_000).contains(configuration.pageSize), "page size \(configuration.pageSize)")
    for collection in configuration.collections {
        try require(collection.pageSize.map { (1...100_000).contains($0) } ?? true, "collection page size out of range")
    }
}
