// swift-tools-version: 6.1
//
// Fuzz targets for Bastion's parsers: one libFuzzer program per surface that takes input from
// outside. A package of its own, depending on the main one by path, so that `swift test` never
// builds it; build and run the targets with `Fuzz/run` (see Fuzz/README.md), which passes the
// sanitizer and libFuzzer flags.
import PackageDescription

/// A fuzz target: an executable named `name` (as `Fuzz/run` and `Fuzz/Corpus/<name>` call it)
/// built from `Sources/<target>`.
func fuzzTarget(_ name: String, _ target: String, _ dependencies: [Target.Dependency]) -> (Product, Target) {
    (
        .executable(name: name, targets: [target]),
        .executableTarget(name: target, dependencies: ["FuzzSupport"] + dependencies)
    )
}

let targets = [
    fuzzTarget("openc2-json", "FuzzOpenC2JSON", [
        .product(name: "OpenC2", package: "Bastion"), .product(name: "OpenC2SLPF", package: "Bastion"),
    ]),
    fuzzTarget("consumer-request", "FuzzConsumerRequest", [
        .product(name: "OpenC2", package: "Bastion"), .product(name: "OpenC2SLPF", package: "Bastion"),
        .product(name: "OpenC2HTTPS", package: "Bastion"), .product(name: "SLPFActuator", package: "Bastion"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    fuzzTarget("taxii-xml", "FuzzTAXIIXML", [.product(name: "TAXII", package: "Bastion")]),
    fuzzTarget("taxii-json", "FuzzTAXIIJSON", [.product(name: "TAXII", package: "Bastion")]),
    fuzzTarget("default-query", "FuzzDefaultQuery", [.product(name: "TAXII", package: "Bastion")]),
    fuzzTarget("linear-regex", "FuzzLinearRegex", [.product(name: "BastionRegex", package: "Bastion")]),
    fuzzTarget("slpf-rules-file", "FuzzSLPFRulesFile", [
        .product(name: "SLPFActuator", package: "Bastion"), .product(name: "OpenC2SLPF", package: "Bastion"),
    ]),
    fuzzTarget("taxii-server-request", "FuzzTAXIIServerRequest", [
        .product(name: "TAXII", package: "Bastion"), .product(name: "TAXIIServer", package: "Bastion"),
        .product(name: "Logging", package: "swift-log"),
    ]),
    fuzzTarget("taxii-server-settings", "FuzzTAXIIServerSettings", [
        .product(name: "TAXIIServer", package: "Bastion"), .product(name: "BastionConfig", package: "Bastion"),
    ]),
    fuzzTarget("producer-server-request", "FuzzProducerServerRequest", [
        .product(name: "OpenC2", package: "Bastion"), .product(name: "OpenC2SLPF", package: "Bastion"),
        .product(name: "OpenC2Polling", package: "Bastion"), .product(name: "Logging", package: "swift-log"),
    ]),
    fuzzTarget("bridge-stix", "FuzzBridgeSTIX", [.product(name: "Bridge", package: "Bastion")]),
    fuzzTarget("bridge-inputs", "FuzzBridgeInputs", [.product(name: "Bridge", package: "Bastion")]),
    fuzzTarget("http-response", "FuzzHTTPResponse", [
        .product(name: "BastionHTTPClient", package: "Bastion"), .product(name: "NIOCore", package: "swift-nio"),
    ]),
    fuzzTarget("consumer-settings", "FuzzConsumerSettings", [
        .product(name: "BastionConsumer", package: "Bastion"), .product(name: "BastionConfig", package: "Bastion"),
        .product(name: "Logging", package: "swift-log"),
    ]),
]

let package = Package(
    name: "BastionFuzz",
    platforms: [.macOS(.v14)],
    products: targets.map(\.0),
    dependencies: [
        .package(name: "Bastion", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [.target(name: "FuzzSupport")] + targets.map(\.1),
    swiftLanguageModes: [.v6]
)
