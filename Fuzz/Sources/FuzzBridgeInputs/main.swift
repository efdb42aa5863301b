// The bridge's fleet file (YAML) and allow-list, split at the first NUL byte: never a trap; a
// fleet it reads has distinct names, https URLs for pushed Consumers and identities for polling
// ones; every allow-list range protects itself.
import Bridge
import FuzzSupport

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    if let yaml = String(validating: bytes[..<split], as: UTF8.self), let fleet = try? Fleet(yaml: yaml, file: "fleet.yaml") {
        let names = fleet.members.map(\.name)
        try require(Set(names).count == names.count, "a Consumer named twice: \(names)")
        try require(fleet.members.allSatisfy { $0.queue != nil || $0.url.hasPrefix("https://") }, "a pushed Consumer without an https URL")
        try require(fleet.members.allSatisfy { $0.queue.map { !$0.consumer.isEmpty } ?? true }, "a polling Consumer without an identity")
    }
    guard split < bytes.endIndex, let text = String(validating: bytes[(split + 1)...], as: UTF8.self),
          let list = try? AllowList(contentsOf: text, file: "allow.txt")
    else { return }
    for entry in list.entries {
        try require(list.protection(of: entry.range) != nil, "\(entry.range) does not protect itself")
    }
}
