// An SLPF rules file (what `update file` loads) → its rules, with an SLPF Consumer's full
// capabilities; every rule read is one of the file's entries.
import FuzzSupport
import OpenC2SLPF
import SLPFActuator

let capabilities = SLPFActuator.capabilities(updateFile: true)

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    guard let file = try? RulesFile(json: bytes, capabilities: capabilities) else { return }
    try require(file.rules.count <= bytes.count, "more rules than bytes")
}
