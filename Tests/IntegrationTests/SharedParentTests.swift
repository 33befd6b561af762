import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// Invariant 11: under a shared parent (every systemd host), what reconcile mounts
/// is private, so mounting on top of a bind never propagates back onto its source.
final class SharedParentTests: PrivilegedTestCase {
  func testBindUnderSharedParentDoesNotPropagateBackOntoSource() throws {
    try host.seed.build()
    try HostFixture.makeShared(host.base)
    XCTAssertTrue(host.mountLines()[0].contains("shared:"), "the scratch root is shared")

    XCTAssertEqual(try reconcile("--instance", "2").status, 0)
    // Something mounts on top of the bind (a later helper, a stacked mount).
    try HostFixture.mountTmpfs(at: host.root + "/runtime/2/build")
    defer { try? HostFixture.unmount(host.root + "/runtime/2/build") }

    XCTAssertTrue(
      FileManager.default.fileExists(atPath: host.root + "/overlays/9/left4dead2/addons/sourcemod/plugins/admin.smx"),
      "the source directory is not covered by a propagated mount")
    let onSource = host.mountLines().filter { $0.split(separator: " ")[4] == host.root + "/overlays/9" }
    XCTAssertEqual(onSource, [])
  }
}
