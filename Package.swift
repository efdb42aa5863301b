// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Bastion",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OpenC2", targets: ["OpenC2"]),
        .library(name: "OpenC2SLPF", targets: ["OpenC2SLPF"]),
        .executable(name: "bastion", targets: ["bastion"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: OpenC2
        .target(name: "OpenC2"),
        .target(name: "OpenC2SLPF", dependencies: ["OpenC2"]),

        // MARK: Command line
        .executableTarget(
            name: "bastion",
            dependencies: [
                "OpenC2",
                "OpenC2SLPF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: Tests
        .testTarget(
            name: "OpenC2Tests",
            dependencies: ["OpenC2", "OpenC2SLPF"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "OpenC2SLPFTests", dependencies: ["OpenC2", "OpenC2SLPF"]),
        .testTarget(name: "BastionCLITests", dependencies: ["bastion", "OpenC2", "OpenC2SLPF"]),
    ],
    swiftLanguageModes: [.v6]
)
