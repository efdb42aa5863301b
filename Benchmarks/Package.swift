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
    ],
    swiftLanguageModes: [.v6]
)
