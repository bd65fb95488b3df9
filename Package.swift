// swift-tools-version:6.1
// Crosswire: a packet-capture analyzer and verification suite for
// cross-host container networks. See README.md.
import PackageDescription

/// Swift 6 language mode everywhere; the decoder core additionally refuses
/// Foundation (checked by a test) so that it stays allocation-free and portable.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Crosswire",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "crosswire", targets: ["crosswire"]),
        .library(name: "CrosswireDecoder", targets: ["CrosswireDecoder"]),
        .library(name: "CrosswireDecoderText", targets: ["CrosswireDecoderText"]),
        .library(name: "CrosswireCapture", targets: ["CrosswireCapture"]),
        .library(name: "CrosswirePlan", targets: ["CrosswirePlan"]),
        .library(name: "CrosswireVerify", targets: ["CrosswireVerify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // `crosswire watch` only: its HTTP server and the Prometheus registry (CrosswireWatch).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // The decoder core: pure Swift, no Foundation, no C, no heap allocation per packet.
        .target(name: "CrosswireDecoder", swiftSettings: strict),
        // The text forms of `crosswire decode` (tshark fields, JSON, tcpdump-like lines); only the CLI uses them.
        .target(name: "CrosswireDecoderText", dependencies: ["CrosswireDecoder"], swiftSettings: strict),
        // libpcap, as a system library found through pkg-config.
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // Capture I/O: offline files and live interfaces through libpcap, behind Swift names.
        .target(name: "CrosswireCapture", dependencies: ["CPcap", "CrosswireDecoder"], swiftSettings: strict),
        // The plan file (YAML) as typed values, and its consistency rules.
        .target(name: "CrosswirePlan", dependencies: ["CrosswireDecoder", "Yams"], swiftSettings: strict),
        // The verdict: check results, evidence and metrics (the JSON of the contract).
        .target(name: "CrosswireVerdict", swiftSettings: strict),
        // The verification engine: analysers fed by decoded packets, and the checks.
        .target(
            name: "CrosswireVerify",
            dependencies: ["CrosswireDecoder", "CrosswireCapture", "CrosswirePlan", "CrosswireVerdict"],
            swiftSettings: strict
        ),
        // Reports: Markdown, HTML, JUnit XML, JSON.
        .target(name: "CrosswireReport", dependencies: ["CrosswireVerdict"], swiftSettings: strict),
        // `crosswire watch`: the rolling verdict, the evidence ring, the metrics and the HTTP server.
        // The only target with SwiftNIO and swift-prometheus, so the decoder and the engine stay dependency-free.
        .target(
            name: "CrosswireWatch",
            dependencies: [
                "CrosswireDecoder", "CrosswireCapture", "CrosswirePlan", "CrosswireVerdict", "CrosswireVerify", "CrosswireReport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // The command line as a library, so that it can be tested in-process.
        .target(
            name: "CrosswireCLI",
            dependencies: [
                "CrosswireDecoder", "CrosswireDecoderText", "CrosswireCapture", "CrosswirePlan", "CrosswireVerdict",
                "CrosswireVerify", "CrosswireReport", "CrosswireWatch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "crosswire", dependencies: ["CrosswireCLI"], swiftSettings: strict),

        .testTarget(name: "CrosswireDecoderTests", dependencies: ["CrosswireDecoder", "CrosswireDecoderText"], swiftSettings: strict),
        .testTarget(name: "CrosswireCaptureTests", dependencies: ["CrosswireCapture", "CrosswireDecoder"], swiftSettings: strict),
        .testTarget(name: "CrosswirePlanTests", dependencies: ["CrosswirePlan"], swiftSettings: strict),
        .testTarget(
            name: "CrosswireVerifyTests",
            dependencies: ["CrosswireVerify", "CrosswirePlan", "CrosswireVerdict", "CrosswireCapture", "CrosswireReport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CrosswireWatchTests",
            dependencies: ["CrosswireWatch", "CrosswireVerdict", "CrosswireVerify", "CrosswirePlan", "CrosswireCapture", "CrosswireDecoder"],
            swiftSettings: strict
        ),
        .testTarget(name: "CrosswireReportTests", dependencies: ["CrosswireReport", "CrosswireVerdict"], swiftSettings: strict),
        .testTarget(
            name: "CrosswireCLITests",
            dependencies: ["CrosswireCLI", "CrosswireCapture", "CrosswireDecoder"],
            swiftSettings: strict
        ),
    ]
)
