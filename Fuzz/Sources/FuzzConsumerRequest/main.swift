// The Consumer's request path: method, path, Content-Type, X-Request-ID and body (fields split
// at NUL bytes) → ConsumerExchange, with an SLPF Consumer's full capabilities → a reply whose
// status is one the transfer allows and whose body, when there is one, is an OpenC2 Response in
// the format the reply's Content-Type names.
import FuzzSupport
import Logging
import OpenC2
import OpenC2HTTPS
import OpenC2SLPF
import SLPFActuator

let exchange: ConsumerExchange = {
    var configuration = ConsumerExchange.Configuration()
    configuration.profiles = [SLPFProfile()]
    configuration.identity = "consumer.fuzz"
    return ConsumerExchange(
        configuration: configuration,
        handler: QueryFeaturesHandler(capabilities: SLPFActuator.capabilities(updateFile: true)),
        logger: {
            var logger = Logger(label: "fuzz")
            logger.logLevel = .critical
            return logger
        }(),
        runInBackground: { work in Task { await work() } }
    )
}()
let allowedStatuses: Set<Int> = [200, 400, 401, 403, 404, 500, 501, 503]
let decoder = OpenC2Decoder(profiles: [SLPFProfile()])

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    let fields = split(bytes, into: 5)
    func text(_ field: [UInt8]) -> String { String(decoding: field, as: UTF8.self) }
    let request = ConsumerRequest(
        method: text(fields[0]), path: text(fields[1]),
        contentType: fields[2].isEmpty ? nil : text(fields[2]),
        requestIDHeader: fields[3].isEmpty ? nil : text(fields[3]),
        body: fields[4].isEmpty ? nil : fields[4]
    )
    let reply = FuzzDriver.blocking { await exchange.respond(to: request) }
    try require(allowedStatuses.contains(reply.status), "status \(reply.status) is not one the transfer allows")
    guard !reply.body.isEmpty else { return }
    let contentType = reply.header("Content-Type") ?? ""
    if contentType.hasPrefix("application/openc2-rsp+json") {
        do { _ = try decoder.decode(Response.self, from: reply.body) } catch {
            throw PropertyViolation("the v1.0 reply body is not a Response (\(error)): \(String(decoding: reply.body, as: UTF8.self))")
        }
    } else if contentType.hasPrefix("application/openc2+json") {
        do { _ = try decoder.decode(Message.self, from: reply.body) } catch {
            throw PropertyViolation("the v1.1 reply body is not a message (\(error)): \(String(decoding: reply.body, as: UTF8.self))")
        }
    } else {
        throw PropertyViolation("a reply body with Content-Type '\(contentType)'")
    }
}
