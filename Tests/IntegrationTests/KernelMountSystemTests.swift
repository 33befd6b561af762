import SeedHost
import Foundation
import Probes
import SystemPackage
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The kernel calls behind apply, on real mounts, including the routes a newer kernel
/// would not take by itself: each overlay route is forced by turning features off.
final class KernelMountSystemTests: PrivilegedTestCase {
  /// The routes an overlay can take, by kernel line, as far as this kernel has them.
  private var overlayRoutes: [(name: String, features: KernelFeatures)] {
    let probed = KernelFeatureProbe.probedOnce
    var routes: [(String, KernelFeatures)] = []
    var legacy = probed
    (legacy.overlayLowerdirPlus, legacy.overlayLayerFDs, legacy.overlayLayerPathFDs) = (false, false, false)
    routes.append(("mount(2) data, pinned (before 6.8)", legacy))
    if probed.overlayLowerdirPlus {
      var strings = probed
      (strings.overlayLayerFDs, strings.overlayLayerPathFDs) = (false, false)
      routes.append(("lowerdir+ strings, pinned (6.8 to 6.12)", strings))
    }
    if probed.overlayLayerFDs {
      var readable = probed
      readable.overlayLayerPathFDs = false
      routes.append(("layer fds O_RDONLY (6.13, 6.14)", readable))
    }
    if probed.overlayLayerPathFDs { routes.append(("layer fds O_PATH (6.15+)", probed)) }
    return routes
  }

  private func makeDirectories(_ paths: [String]) throws {
    for path in paths { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
  }

  /// Every route makes an overlay whose mountinfo shows exactly the asked layers (so
  /// the planner matches it), private, with symlinks inside the layers still working.
  func testEveryOverlayRouteShowsTheGivenLayersAndIsPrivate() throws {
    try host.seed.build()
    // The last two are canonically equivalent names (é as one scalar, and e with a
    // combining accent): two layers to the kernel, kept apart on every route.
    let odd = [
      host.root + "/overlays/with,comma", host.root + "/overlays/with:colon", host.root + "/installation",
      host.root + "/overlays/caf\u{e9}", host.root + "/overlays/cafe\u{301}",
    ]
    try makeDirectories(odd)
    try "x\n".write(toFile: odd[0] + "/file", atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: odd[0] + "/link", withDestinationPath: "file")
    for (index, route) in overlayRoutes.enumerated() {
      let base = host.root + "/runtime/\(80 + index)"
      let target = base + "/merged"
      try makeDirectories([target, base + "/upper", base + "/work"])
      try FileManager.default.createSymbolicLink(atPath: base + "/upper/up-link", withDestinationPath: "/nonexistent")
      let overlay = ResolvedOverlay(
        lowerdirs: odd,
        lowerdirRoots: [
          host.root + "/overlays", host.root + "/overlays", host.root, host.root + "/overlays", host.root + "/overlays",
        ],
        upperdir: base + "/upper", workdir: base + "/work", readOnly: false,
        method: OverlayMethod(features: route.features))

      let result = KernelMountSystem().mountOverlay(overlay, at: target, beneath: host.root)

      if case .failure(let error) = result {
        XCTFail("\(route.name): \(error)")
        continue
      }
      let mounted = try XCTUnwrap(try MountInfoProbe().read().top(at: target), route.name)
      XCTAssertEqual(mounted.overlay?.lowerdirs.map { Array($0.utf8) }, odd.map { Array($0.utf8) }, route.name)
      XCTAssertEqual(mounted.overlay?.upperdir, overlay.upperdir, route.name)
      XCTAssertEqual(mounted.overlay?.workdir, overlay.workdir, route.name)
      XCTAssertTrue(mounted.propagation.isPrivate, route.name)
      XCTAssertEqual(
        try String(contentsOfFile: target + "/link", encoding: .utf8), "x\n", "\(route.name): symlink in a layer")
      XCTAssertEqual(
        try FileManager.default.destinationOfSymbolicLink(atPath: target + "/up-link"), "/nonexistent", route.name)
      try "written\n".write(toFile: target + "/new", atomically: false, encoding: .utf8)
      XCTAssertTrue(
        FileManager.default.fileExists(atPath: base + "/upper/new"), "\(route.name): writes land in the upperdir")
    }
  }

  /// Through `reconcile` itself, forced onto no route: the seeds' overlays on this
  /// kernel converge and a second run plans nothing (the layers read back as given).
  func testSecondRunPlansNothingForTheOverlaysThisKernelMakes() throws {
    try host.seed.build()
    XCTAssertEqual(try reconcile().status, 0)
    let again = try reconcile("--dry-run", "--format", "json")
    XCTAssertEqual(again.status, 0, again.stdout)
    XCTAssertEqual(try XCTUnwrap(try again.json()["steps"] as? [[String: Any]]).count, 0)
  }

  /// A lowerdir, the upperdir or the workdir swapped for a symlink out of the root
  /// after planning: every route refuses with ELOOP and mounts nothing.
  func testLayerSwappedForASymlinkAfterPlanningIsRefused() throws {
    try host.seed.build()
    let outside = host.base + "/outside"
    try makeDirectories([outside + "/left4dead2"])
    for (index, route) in overlayRoutes.enumerated() {
      for swapped in ["lower", "upper", "work"] {
        let base = host.root + "/runtime/\(90 + index)-\(swapped)"
        let lower = host.root + "/overlays/swap-\(index)-\(swapped)"
        let target = base + "/merged"
        try makeDirectories([target, base + "/upper", base + "/work", lower])
        let overlay = ResolvedOverlay(
          lowerdirs: [lower, host.root + "/installation"], lowerdirRoots: [host.root + "/overlays", host.root],
          upperdir: base + "/upper", workdir: base + "/work", readOnly: false,
          method: OverlayMethod(features: route.features))
        let victim = ["lower": lower, "upper": base + "/upper", "work": base + "/work"][swapped]!
        try FileManager.default.removeItem(atPath: victim)
        try FileManager.default.createSymbolicLink(atPath: victim, withDestinationPath: outside)

        let result = KernelMountSystem().mountOverlay(overlay, at: target, beneath: host.root)

        guard case .failure(let error) = result else {
          XCTFail("\(route.name): mounted through a swapped \(swapped)dir")
          continue
        }
        XCTAssertEqual(error.errno, .tooManySymbolicLinkLevels, "\(route.name), \(swapped)dir: \(error)")
        XCTAssertEqual(error.path, victim, "\(route.name): the error names the swapped path")
        XCTAssertEqual(host.stackDepth("runtime/\(90 + index)-\(swapped)/merged"), 0, route.name)
      }
    }
  }

  /// A lowerdir flipped between a directory and a symlink out of the root while
  /// overlays are made over and over: a mount either fails or shows the real layer,
  /// never the outside directory, on every route.
  func testLayerFlippingToASymlinkDuringMountsNeverRedirectsOne() throws {
    try host.seed.build()
    let outside = host.base + "/outside"
    try makeDirectories([outside])
    try "outside\n".write(toFile: outside + "/which", atomically: false, encoding: .utf8)
    let lower = host.root + "/overlays/flip"
    let real = host.root + "/overlays/flip-real"
    let link = host.root + "/overlays/flip-link"
    try makeDirectories([real])
    try "inside\n".write(toFile: real + "/which", atomically: false, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: outside)
    XCTAssertEqual(rename(real, lower), 0)

    let stop = ManagedAtomicFlag()
    let finished = DispatchSemaphore(value: 0)
    let flipper = Thread {
      defer { finished.signal() }
      // Atomic swaps: the path is always either the real directory or the link.
      while !stop.isSet { try? HostFixture.exchange(lower, link) }
    }
    flipper.start()
    defer { stop.set() }
    var mounted = 0
    var failures: [Errno: Int] = [:]
    for (index, route) in overlayRoutes.enumerated() {
      // Until a few went through: how the swaps and the checks interleave varies.
      var through = 0
      for attempt in 0..<500 where through < 5 {
        let base = host.root + "/runtime/flip-\(index)-\(attempt)"
        let target = base + "/merged"
        try makeDirectories([target, base + "/upper", base + "/work"])
        let overlay = ResolvedOverlay(
          lowerdirs: [lower], lowerdirRoots: [host.root + "/overlays"], upperdir: base + "/upper",
          workdir: base + "/work", readOnly: false, method: OverlayMethod(features: route.features))
        if case .failure(let error) = KernelMountSystem().mountOverlay(overlay, at: target, beneath: host.root) {
          failures[error.errno ?? .ioError, default: 0] += 1
          continue
        }
        mounted += 1
        through += 1
        XCTAssertEqual(
          try String(contentsOfFile: target + "/which", encoding: .utf8), "inside\n", "\(route.name): redirected")
        try HostFixture.unmount(target)
      }
    }
    stop.set()
    finished.wait()
    XCTAssertGreaterThan(mounted, 0, "some mounts went through between flips; failures: \(failures)")
  }

  /// Two directories whose names are canonically equivalent (`é` as one scalar and as
  /// `e` with a combining accent) are two parents: the second unmount must reach its
  /// mount through its own parent, not the one kept open for the first.
  func testUnmountsBelowCanonicallyEquivalentDirectoriesEachReachTheirOwnParent() throws {
    try host.seed.build()
    let parents = [host.root + "/runtime/caf\u{e9}", host.root + "/runtime/cafe\u{301}"]
    try makeDirectories(parents.map { $0 + "/x" })
    let names = try FileManager.default.contentsOfDirectory(atPath: host.root + "/runtime")
    XCTAssertEqual(names.filter { $0.utf8.starts(with: "caf".utf8) }.count, 2, "two directories on disk")
    for parent in parents { try HostFixture.mountTmpfs(at: parent + "/x") }
    let system = KernelMountSystem()

    for parent in parents {
      guard case .success = system.unmount(parent + "/x", beneath: host.root) else {
        return XCTFail("unmount below \(Array(parent.utf8.suffix(6))) failed")
      }
    }

    XCTAssertEqual(host.mountLines().filter { $0.contains("/runtime/caf") }, [])
  }

  /// A target that is a symlink out of the root is refused by openat2, not followed.
  func testMountRefusesTargetThatIsASymlinkOutOfTheRoot() throws {
    try host.seed.build()
    let outside = host.base + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: host.root + "/runtime/9", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: host.root + "/runtime/9/merged", withDestinationPath: outside)
    let bind = ResolvedBind(
      source: host.root + "/overlays/9", sourceRoot: host.root + "/overlays", readOnly: true, idmap: nil)

    let result = KernelMountSystem().mountBind(bind, at: host.root + "/runtime/9/merged", beneath: host.root)

    guard case .failure(let error) = result else { return XCTFail("mounted through a symlink") }
    XCTAssertEqual(error.errno, .tooManySymbolicLinkLevels, "\(error)")
    XCTAssertEqual(host.mountLines().filter { $0.contains(outside) }, [])
  }
}

/// A flag one thread sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  var isSet: Bool { lock.withLock { value } }
  func set() { lock.withLock { value = true } }
}
