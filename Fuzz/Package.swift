// swift-tools-version:6.1
// libFuzzer targets over Crosswire's decoder and its BGP/OSPF stream path.
// A package of its own so that the product's build never sees the fuzzer flags:
//
//   cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//   .build/release/DecoderFuzzer corpus/decoder -max_total_time=60 -rss_limit_mb=2048
//
// `make fuzz` (in the root Makefile) extracts the seeds, builds and runs both
// for FUZZ_SECONDS each. See docs/HARDENING.md.
import PackageDescription

let settings: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "CrosswireFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "Crosswire", path: "..")],
    targets: [
        // One frame per input: the first byte picks the link type (and extra tunnel ports).
        .executableTarget(
            name: "DecoderFuzzer",
            dependencies: [
                .product(name: "CrosswireDecoder", package: "Crosswire"),
                .product(name: "CrosswireDecoderText", package: "Crosswire"),
            ],
            swiftSettings: settings),
        // A few TCP segments on port 179 and OSPF packets per input, through reassembly and decoding.
        .executableTarget(
            name: "StreamFuzzer",
            dependencies: [
                .product(name: "CrosswireDecoder", package: "Crosswire"),
                .product(name: "CrosswireDecoderText", package: "Crosswire"),
            ],
            swiftSettings: settings),
    ]
)
