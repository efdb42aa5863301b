// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Bastion",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "OpenC2", targets: ["OpenC2"]),
        .library(name: "OpenC2SLPF", targets: ["OpenC2SLPF"]),
        .library(name: "SLPFActuator", targets: ["SLPFActuator"]),
        .library(name: "OpenC2HTTPS", targets: ["OpenC2HTTPS"]),
        .library(name: "BastionHTTPServer", targets: ["BastionHTTPServer"]),
        .library(name: "BastionMetrics", targets: ["BastionMetrics"]),
        .library(name: "BastionPKI", targets: ["BastionPKI"]),
        .library(name: "BastionXML", targets: ["BastionXML"]),
        .library(name: "TAXII", targets: ["TAXII"]),
        .library(name: "TAXIIClient", targets: ["TAXIIClient"]),
        .library(name: "TAXIIHTTP", targets: ["TAXIIHTTP"]),
        .library(name: "TAXIIServer", targets: ["TAXIIServer"]),
        .library(name: "BastionRegex", targets: ["BastionRegex"]),
        .library(name: "BastionHTTPClient", targets: ["BastionHTTPClient"]),
        .library(name: "BastionLogging", targets: ["BastionLogging"]),
        .library(name: "BastionTLS", targets: ["BastionTLS"]),
        .library(name: "BastionConfig", targets: ["BastionConfig"]),
        .library(name: "BastionConsumer", targets: ["BastionConsumer"]),
        .library(name: "Bridge", targets: ["Bridge"]),
        .library(name: "OpenC2Polling", targets: ["OpenC2Polling"]),
        .executable(name: "bastion", targets: ["bastion"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        // MARK: OpenC2
        .target(name: "OpenC2"),
        .target(name: "OpenC2SLPF", dependencies: ["OpenC2"]),
        .target(
            name: "SLPFActuator",
            dependencies: [
                "OpenC2", "OpenC2SLPF", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "BastionHTTPServer",
            dependencies: [
                "BastionPKI",
                "BastionTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "BastionMetrics",
            dependencies: [
                "BastionHTTPServer",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "OpenC2HTTPS",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "OpenC2",
                "BastionHTTPServer",
                "BastionHTTPClient",
                "BastionPKI",
                "BastionTLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // MARK: Settings
        .target(name: "BastionConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(
            name: "BastionConsumer",
            dependencies: [
                "BastionConfig", "BastionTLS", "OpenC2HTTPS", "OpenC2SLPF", "SLPFActuator", "BastionMetrics",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: XML
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(name: "BastionXML", dependencies: ["CLibXML2"]),

        // MARK: TAXII
        .target(name: "BastionRegex"),
        .target(name: "TAXII", dependencies: ["BastionXML", "BastionRegex"]),
        .target(name: "TAXIIHTTP", dependencies: ["TAXII"]),
        .target(
            name: "TAXIIServer",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "TAXII", "TAXIIHTTP", "TAXIIClient", "BastionHTTPServer", "BastionConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TAXIIClient",
            dependencies: [
                "TAXII",
                "TAXIIHTTP",
                "BastionTLS",
                "BastionHTTPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: OpenC2 polling model (HTTPS WD02): the queue, the Producer server
        .target(
            name: "OpenC2Polling",
            dependencies: [
                "OpenC2", "OpenC2HTTPS", "BastionHTTPServer", "BastionHTTPClient", "BastionConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Bridge (the one module that imports both the TAXII and the OpenC2 sides)
        .target(
            name: "Bridge",
            dependencies: [
                "TAXII", "TAXIIClient", "BastionXML", "OpenC2", "OpenC2SLPF", "OpenC2HTTPS", "OpenC2Polling", "BastionTLS", "BastionConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // MARK: Logging
        .target(
            name: "BastionLogging",
            dependencies: [.product(name: "Logging", package: "swift-log"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio")]
        ),

        // MARK: HTTP client
        .target(
            name: "BastionHTTPClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // MARK: TLS and PKI
        .target(
            name: "BastionTLS",
            dependencies: ["BastionPKI", .product(name: "NIOSSL", package: "swift-nio-ssl")]
        ),
        .target(
            name: "BastionPKI",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),

        // MARK: Command line
        .executableTarget(
            name: "bastion",
            dependencies: [
                "OpenC2",
                "OpenC2SLPF",
                "OpenC2HTTPS",
                "BastionPKI",
                "SLPFActuator",
                "BastionXML",
                "TAXII",
                "TAXIIClient",
                "TAXIIServer",
                "BastionHTTPServer",
                "BastionTLS",
                "BastionConfig",
                "BastionConsumer",
                "Bridge",
                "OpenC2Polling",
                "BastionMetrics",
                "BastionLogging",
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: Tests
        .testTarget(
            name: "OpenC2Tests",
            dependencies: ["OpenC2", "OpenC2SLPF"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "OpenC2SLPFTests", dependencies: ["OpenC2", "OpenC2SLPF"]),
        .target(name: "NetworkNamespaceSupport", dependencies: ["SLPFActuator"], path: "Tests/NetworkNamespaceSupport"),
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "BastionPKI", "BastionTLS", .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            exclude: ["Scripts"]
        ),
        .testTarget(
            name: "SLPFActuatorTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "SLPFActuator", "NetworkNamespaceSupport", "TestSupport", "OpenC2", "OpenC2SLPF", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "OpenC2HTTPSTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "OpenC2HTTPS", "OpenC2", "OpenC2SLPF", "BastionPKI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "BastionPKITests", dependencies: ["BastionPKI", "TestSupport"]),
        .testTarget(name: "BastionLoggingTests", dependencies: ["BastionLogging", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "BastionHTTPServerTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "BastionHTTPServer", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BastionCLITests",
            dependencies: [
                "bastion", "OpenC2", "OpenC2SLPF", "BastionPKI", "SLPFActuator", "NetworkNamespaceSupport", "TestSupport", "TAXII", "TAXIIClient",
                "BastionHTTPClient", .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "BastionConsumerTests",
            dependencies: [
                "BastionConsumer", "BastionConfig", "OpenC2HTTPS", "OpenC2", "OpenC2SLPF", "SLPFActuator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "BastionXMLTests", dependencies: ["BastionXML"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TAXIITests", dependencies: ["TAXII", "BastionXML"], resources: [.copy("Fixtures")]),
        .testTarget(name: "BastionRegexTests", dependencies: ["BastionRegex"]),
        .testTarget(name: "TAXIIHTTPTests", dependencies: ["TAXIIHTTP", "TAXII"]),
        .testTarget(
            name: "TAXIIServerTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "TAXIIServer", "TAXII", "TAXIIHTTP", "TAXIIClient", "BastionHTTPServer", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "OpenC2PollingTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "OpenC2Polling", "OpenC2", "OpenC2SLPF", "OpenC2HTTPS", "BastionHTTPServer", "BastionHTTPClient", "BastionTLS", "BastionPKI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "BridgeTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "Bridge", "TAXII", "TAXIIClient", "TAXIIServer", "OpenC2", "OpenC2SLPF", "OpenC2HTTPS", "OpenC2Polling", "BastionConsumer", "SLPFActuator",
                "BastionHTTPServer", "BastionTLS", "BastionPKI", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TAXIIClientTests",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                "TAXIIClient", "TAXII", "BastionPKI", "BastionTLS", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
