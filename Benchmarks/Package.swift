// swift-tools-version:6.1
// Crosswire's benchmarks: a package of its own, so that the main package's
// build and CI do not fetch or compile package-benchmark.
//
//   cd Benchmarks && swift package --disable-sandbox benchmark
//
// See docs/PERFORMANCE.md for what is measured and the latest numbers.
import PackageDescription

let package = Package(
    name: "CrosswireBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named so that the products resolve whatever the checkout folder is called.
        .package(name: "Crosswire", path: ".."),
        // MallocInterposer: the malloc counters (mallocCountTotal …) on Swift 6.3+ without jemalloc.
        .package(url: "https://github.com/ordo-one/package-benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "DecodeBenchmark",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "CrosswireDecoder", package: "Crosswire"),
                .product(name: "CrosswireCapture", package: "Crosswire"),
                .product(name: "CrosswirePlan", package: "Crosswire"),
                .product(name: "CrosswireVerify", package: "Crosswire"),
            ],
            path: "DecodeBenchmark",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "package-benchmark")
            ]
        )
    ]
)
