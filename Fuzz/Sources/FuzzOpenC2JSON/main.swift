// bytes → Command / Response / v1.1 Message → canonical JSON → decoded again → equal, and the
// canonical JSON of the second value is the same bytes.
import FuzzSupport
import OpenC2
import OpenC2SLPF

let decoder = OpenC2Decoder(profiles: [SLPFProfile()])
let encoder = OpenC2Encoder()

func roundTrip<T: OpenC2Codable & Equatable>(_ type: T.Type, _ bytes: [UInt8]) throws(PropertyViolation) {
    guard let first = try? decoder.decode(T.self, from: bytes) else { return }
    let encoded = encoder.encode(first)
    let second: T
    do {
        second = try decoder.decode(T.self, from: encoded)
    } catch {
        throw PropertyViolation("\(T.self) written as \(String(decoding: encoded, as: UTF8.self)) is refused: \(error)")
    }
    try require(second == first, "\(T.self) changed in a round trip: \(String(decoding: encoded, as: UTF8.self))")
    try require(encoder.encode(second) == encoded, "\(T.self): the canonical encoding is not stable")
}

FuzzDriver.run { (bytes) throws(PropertyViolation) in
    try roundTrip(Command.self, bytes)
    try roundTrip(Response.self, bytes)
    try roundTrip(Message.self, bytes)
}
