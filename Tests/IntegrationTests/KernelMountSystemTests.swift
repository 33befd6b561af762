import Foundation
import Probes
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The kernel calls behind apply, on real mounts, including the paths this 6.18
/// kernel would not take by itself.
final class KernelMountSystemTests: PrivilegedTestCase {
  /// Kernels before 6.8 get the overlay as `mount(2)` data, with overlayfs's own
  /// escapes for `,` `:` and `\`; the parser must read back exactly the same layers.
  func testLegacyOverlayMountEscapesLayerNamesAndReadsBackTheSameLayers() throws {
    try host.seed.build()
    let odd = [host.root + "/overlays/with,comma", host.root + "/overlays/with:colon", host.root + "/installation"]
    for layer in odd { try FileManager.default.createDirectory(atPath: layer, withIntermediateDirectories: true) }
    let target = host.root + "/runtime/8/merged"
    for dir in [target, host.root + "/runtime/8/upper", host.root + "/runtime/8/work"] {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    let overlay = ResolvedOverlay(
      lowerdirs: odd, upperdir: host.root + "/runtime/8/upper", workdir: host.root + "/runtime/8/work",
      readOnly: false)

    let result = KernelMountSystem(overlayLowerdirPlus: false).mountOverlay(overlay, at: target, beneath: host.root)

    if case .failure(let error) = result { XCTFail("\(error)") }
    let table = try MountInfoProbe().read()
    let mounted = try XCTUnwrap(table.top(at: target))
    XCTAssertEqual(mounted.overlay?.lowerdirs, odd)
    XCTAssertEqual(mounted.overlay?.upperdir, overlay.upperdir)
    XCTAssertTrue(mounted.propagation.isPrivate)
    XCTAssertTrue(host.mountLines().contains { $0.contains(",lowerdir=") && !$0.contains("lowerdir+=") }, "the legacy option form was used")
  }

  /// A target that is a symlink out of the root is refused by openat2, not followed.
  func testMountRefusesTargetThatIsASymlinkOutOfTheRoot() throws {
    try host.seed.build()
    let outside = host.base + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: host.root + "/runtime/9", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: host.root + "/runtime/9/merged", withDestinationPath: outside)
    let bind = ResolvedBind(source: host.root + "/overlays/9", sourceRoot: host.root + "/overlays", readOnly: true, idmap: nil)

    let result = KernelMountSystem(overlayLowerdirPlus: true).mountBind(bind, at: host.root + "/runtime/9/merged", beneath: host.root)

    guard case .failure(let error) = result else { return XCTFail("mounted through a symlink") }
    XCTAssertEqual(error.errno, .tooManySymbolicLinkLevels, "\(error)")
    XCTAssertEqual(host.mountLines().filter { $0.contains(outside) }, [])
  }
}
