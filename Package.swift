// swift-tools-version:6.0
import PackageDescription

// One-way chain: StateModel -> Probes -> Reconciler -> reconcile (CLI).
// C stays in the shim targets: CYAML is a module map over libyaml, CLibMount forwards
// to libmount opened on first use, CMountShims wraps the syscalls Swift cannot call
// directly.
let package = Package(
  name: "reconcile",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "reconcile", targets: ["reconcile"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-system", from: "1.7.0"),
  ],
  targets: [
    // libmount's header, with forwarders to libmount.so.1 opened on first use
    // (Sources/CLibMount/include/CLibMount.h): not linked, so never loaded by a command
    // that does not read the mount table.
    .target(name: "CLibMount"),
    .systemLibrary(
      name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .target(name: "CMountShims"),
    // The one syscall layer: every call into libc and the shims, on swift-system's
    // FileDescriptor, Errno and FilePath, with the call, errno and path in each error.
    .target(
      name: "LinuxKernel",
      dependencies: ["CMountShims", .product(name: "SystemPackage", package: "swift-system")]),
    .target(
      name: "StateModel",
      dependencies: ["CYAML", "LinuxKernel", .product(name: "SystemPackage", package: "swift-system")]),
    .target(
      name: "Probes",
      dependencies: [
        "StateModel", "LinuxKernel", "CLibMount",
        .product(name: "SystemPackage", package: "swift-system"),
      ]),
    .target(
      name: "Reconciler",
      dependencies: [
        "StateModel", "Probes", "LinuxKernel",
        .product(name: "SystemPackage", package: "swift-system"),
      ]),
    // The seeds' broken left4me host, for `reconcile demo` and the integration tests.
    .target(
      name: "SeedHost",
      dependencies: ["Reconciler", "LinuxKernel", .product(name: "SystemPackage", package: "swift-system")]),
    .executableTarget(
      name: "reconcile",
      dependencies: [
        "StateModel", "Probes", "Reconciler", "SeedHost", "LinuxKernel",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // Runs one OwnershipWalker walk in a process of its own: for the tests that
    // SIGKILL a walk midway, and for the benchmark against `chown -R`.
    .executableTarget(name: "ownership-walk-tool", dependencies: ["Reconciler", "LinuxKernel"]),
    // The start-up floors `make bench` times `reconcile --version` against: the runtime
    // and FoundationEssentials alone, then with the argument parser (bench/StartupFloor).
    .executableTarget(name: "startup-floor-runtime", path: "bench/StartupFloor/Runtime"),
    .executableTarget(
      name: "startup-floor-parser",
      dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
      path: "bench/StartupFloor/Parser"),
    .target(
      name: "_ReconcileTestSupport",
      dependencies: ["StateModel", "Probes", "Reconciler", "SeedHost", "LinuxKernel"]),
    .testTarget(name: "LinuxKernelTests", dependencies: ["LinuxKernel"]),
    .testTarget(
      name: "StateModelTests", dependencies: ["StateModel", "_ReconcileTestSupport"],
      // The schema fixtures are read from the source tree (PackageFiles), as the
      // validator they are handed to reads them.
      exclude: ["Fixtures"]),
    .testTarget(
      name: "ProbesTests", dependencies: ["Probes", "_ReconcileTestSupport"],
      resources: [.copy("Fixtures")]),
    .testTarget(
      name: "ReconcilerTests", dependencies: ["Reconciler", "_ReconcileTestSupport"]),
    .testTarget(
      name: "reconcileTests",
      dependencies: [
        "reconcile", "Reconciler", "LinuxKernel", "_ReconcileTestSupport",
        .product(name: "SystemPackage", package: "swift-system"),
      ]),
    .testTarget(
      name: "IntegrationTests",
      dependencies: ["Reconciler", "Probes", "StateModel", "SeedHost", "LinuxKernel", "_ReconcileTestSupport"]),
  ]
)
