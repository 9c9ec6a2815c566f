// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "adv",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "adv", targets: ["adv"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
  ],
  targets: [
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL",
                   providers: [.apt(["libdnnl-dev"])]),
    .systemLibrary(name: "CReadline", path: "Sources/CReadline",
                   providers: [.apt(["libreadline-dev"])]),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib",
                   providers: [.apt(["zlib1g-dev"])]),
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5",
                   providers: [.apt(["libhdf5-dev"])]),
    // XNOR-popcount convolution of ±1 tensors, one body compiled per instruction set and chosen
    // at run time (BinaryConvolution.swift).
    .target(name: "CBinaryKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
    // Declarations, typed parameter keys, the atomic writer, SHA-256, progress and interrupt
    // state: what the front end and the engine both read. Imports nothing of ours.
    .target(name: "AdvSpec", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
    // The numeric modules are optimised in debug builds too, so the test suite stays fast.
    .target(name: "AdvTensor", dependencies: ["AdvSpec", "CDNNL", "CBinaryKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release)),
                            .unsafeFlags(["-O"], .when(configuration: .debug))]),
    .target(name: "AdvData", dependencies: ["AdvTensor", "CZlib", "CHDF5"],
            resources: [.copy("Resources/mnist-5k")]),
    .target(name: "AdvNN", dependencies: ["AdvTensor", "AdvData"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    .target(name: "AdvAttacks", dependencies: ["AdvTensor", "AdvData", "AdvNN"],
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
    .target(name: "AdvReport", dependencies: ["AdvSpec", "CZlib"]),
    // The workloads of `make bench` (`adv bench`), built from the engine modules.
    .target(name: "AdvBench", dependencies: ["AdvTensor", "AdvData", "AdvNN", "AdvAttacks"]),
    // AdvBench only for `Runner.bench`'s last reference (AdvLang/Benchmarks.swift), until it goes.
    .target(name: "AdvLang", dependencies: [
      "AdvSpec", "AdvTensor", "AdvData", "AdvNN", "AdvAttacks", "AdvReport", "AdvBench", "CReadline",
    ]),
    .executableTarget(name: "adv", dependencies: [
      "AdvLang", "AdvBench", "AdvData",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ]),
    .target(name: "AdvTestSupport", dependencies: ["AdvTensor", "CZlib"], path: "Tests/AdvTestSupport"),
    // Fuzzing (make fuzz): the targets and their driver, `adv-fuzz` to run them, and
    // `adv-libfuzzer`, which `make fuzz-libfuzzer` builds apart with libFuzzer and ASan.
    .target(name: "CFuzzSupport", path: "Tests/Fuzz/CFuzzSupport"),
    .target(name: "AdvFuzz", dependencies: ["AdvLang", "AdvData", "AdvNN", "AdvAttacks", "AdvTensor", "AdvSpec", "CZlib", "CHDF5",
                                            "CFuzzSupport"],
            path: "Tests/Fuzz/AdvFuzz"),
    .executableTarget(name: "adv-fuzz", dependencies: ["AdvFuzz"], path: "Tests/Fuzz/adv-fuzz"),
    .executableTarget(name: "adv-libfuzzer", dependencies: ["AdvFuzz"], path: "Tests/Fuzz/adv-libfuzzer"),
    .testTarget(name: "AdvSpecTests", dependencies: ["AdvSpec"]),
    .testTarget(name: "AdvTensorTests", dependencies: ["AdvTensor", "AdvTestSupport"]),
    .testTarget(name: "AdvDataTests", dependencies: ["AdvData", "AdvTensor", "AdvTestSupport", "CHDF5", "CZlib"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "AdvNNTests", dependencies: ["AdvNN", "AdvData", "AdvTensor", "AdvTestSupport"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "AdvAttacksTests", dependencies: ["AdvAttacks", "AdvNN", "AdvData", "AdvTensor", "AdvTestSupport"],
                resources: [.copy("Fixtures")]),
    .testTarget(name: "AdvReportTests", dependencies: ["AdvReport", "AdvSpec", "AdvTestSupport"]),
    .testTarget(name: "AdvFuzzTests", dependencies: ["AdvFuzz", "AdvLang", "AdvData", "AdvNN", "AdvAttacks", "AdvTestSupport"],
                exclude: ["Regressions", "LibraryCrashes"]),
    .testTarget(name: "AdvLangTests", dependencies: ["AdvLang", "AdvAttacks", "AdvData", "AdvNN", "AdvReport", "AdvTensor", "AdvTestSupport"],
                resources: [.copy("Scripts"), .copy("Runs")]),
  ],
  swiftLanguageModes: [.v5]
)
