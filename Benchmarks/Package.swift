// swift-tools-version: 6.1
//
// Release benchmarks for Bastion. This is a package of its own, depending on the main one by
// path, so that `swift test` and CI never build it. Run from the repository root with
//
//     swift package --package-path Benchmarks benchmark
//
// See Benchmarks/README.md for what each suite measures and the figures last seen.
import PackageDescription

let package = Package(
    name: "BastionBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Bastion", path: ".."),
        // Only the "MallocInterposer" trait: it gives the malloc metrics. Naming the traits
        // here turns off the package's other default trait, "RuntimeInterposer", whose
        // dependency (ordo-one/swift-runtime-interposer, Linux + Swift 6.3 only) is then not
        // needed. See README.md.
        .package(
            url: "https://github.com/ordo-one/benchmark",
            from: "1.38.1",
            traits: ["MallocInterposer"]
        ),
        // For NIOEchoServer (the bare NIO floor of Benchmarks/HTTPS.md); same as the main package's.
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        .executableTarget(
            name: "OpenC2Codec",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "OpenC2", package: "Bastion"),
                .product(name: "OpenC2SLPF", package: "Bastion"),
            ],
            path: "Benchmarks/OpenC2Codec",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        .executableTarget(
            name: "TAXIIXML",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TAXII", package: "Bastion"),
                .product(name: "BastionXML", package: "Bastion"),
            ],
            path: "Benchmarks/TAXIIXML",
            exclude: ["poll_response_10x2KB.xml"],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
        // The TAXIIXML loop measured as Benchmarks/taxii_libtaxii.py measures libtaxii (messages/s,
        // process peak RSS). Build: swift build -c release --package-path Benchmarks --product TAXIIXMLPeak
        .executableTarget(
            name: "TAXIIXMLPeak",
            dependencies: [.product(name: "TAXII", package: "Bastion")]
        ),
        // A bare SwiftNIO + NIOSSL HTTPS server answering a fixed query-features reply: the floor
        // for `bastion bench consumer` (see HTTPS.md). Build: swift build -c release --product NIOEchoServer
        .executableTarget(
            name: "NIOEchoServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "OpenC2", package: "Bastion"),
                .product(name: "OpenC2SLPF", package: "Bastion"),
                .product(name: "OpenC2HTTPS", package: "Bastion"),
                .product(name: "BastionPKI", package: "Bastion"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
