// The TAXII server's request path: service path, X-TAXII-Content-Type, X-TAXII-Protocol,
// Authorization and body (fields split at NUL bytes) → TAXIIExchange over a real SQLite store,
// with a user and a collection that accepts one binding → an HTTP 200 whose body is a TAXII
// message of the version the answer's X-TAXII-Content-Type names (or a 405 for a non-POST).
import Foundation
import FuzzSupport
import Logging
import TAXII
import TAXIIServer

let exchange: TAXIIExchange = {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bastion-fuzz-taxii-\(getpid())")
    guard let store = try? SQLiteTAXIIStore(path: directory.appendingPathComponent("taxii.sqlite").path),
          let password = try? PasswordHash(hashing: "fuzz", cost: 1 << 4)
    else { fatalError("cannot set up the TAXII store for fuzzing") }
    let configuration = TAXIIServerConfiguration(
        collections: [TAXIICollection(name: "default"), TAXIICollection(name: "stix", acceptedContent: ["urn:stix.mitre.org:xml:1.1.1"])],
        users: [TAXIIUser(name: "fuzz", password: password, canWrite: .only(["default"]))], pageSize: 2)
    var logger = Logger(label: "fuzz")
    logger.logLevel = .critical
    return TAXIIExchange(configuration: configuration, store: store, logger: logger)
}()
let paths = ["/services/discovery", "/services/collection-management", "/services/inbox", "/services/poll"]

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let fields = split(bytes, into: 5)
    func text(_ field: [UInt8]) -> String { String(decoding: field, as: UTF8.self) }
    // The first byte picks a known service most of the time, so that bodies reach the services.
    let path = fields[0].count == 1 ? paths[Int(fields[0][0]) % paths.count] : text(fields[0])
    var headers: [(name: String, value: String)] = [("Host", "fuzz")]
    if !fields[1].isEmpty { headers.append(("X-TAXII-Content-Type", fields[1].count == 1 ? (fields[1][0] & 1 == 0 ? TAXII.VersionID.xml11 : TAXII.VersionID.xml10) : text(fields[1]))) }
    if !fields[2].isEmpty { headers.append(("X-TAXII-Protocol", text(fields[2]))) }
    if !fields[3].isEmpty { headers.append(("Authorization", fields[3].count == 1 ? "Basic ZnV6ejpmdXp6" : text(fields[3]))) }
    let request = TAXIIRequest(method: "POST", path: path, headers: headers, body: fields[4], https: false)
    let reply = FuzzDriver.blocking { await exchange.respond(to: request) }
    try require(reply.status == 200, "status \(reply.status) for a POST")
    let binding = reply.headers.first { $0.name == "X-TAXII-Content-Type" }?.value
    let message: TAXII.Message
    do { message = try TAXII.message(fromXML: reply.body) } catch {
        throw PropertyViolation("the answer is not a TAXII message (\(error)): \(String(decoding: reply.body, as: UTF8.self))")
    }
    try require(binding == message.messageBindingID, "the answer's X-TAXII-Content-Type \(binding ?? "none") is not its version's")
}
