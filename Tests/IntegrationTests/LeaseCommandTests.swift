import Foundation
import Reconciler
import SeedHost
import XCTest
import _ReconcileTestSupport

/// `reconcile lease --hold PATH -- COMMAND`: the sandbox hook's lease, taken without
/// trusting the lock directory.
final class LeaseCommandTests: PrivilegedTestCase {
  private var lock: String { host.root + "/tmp/sandbox-idmap-9.lock" }
  private var victim: String { host.base + "/victim" }

  override func setUpWithError() throws {
    try super.setUpWithError()
    try host.seed.build()
    try HostFixture.chown(host.root + "/tmp", uid: SeedHost.left4me, gid: SeedHost.left4me)
    try host.seed.write(victim, "precious\n")
  }

  private func lease(_ path: String, _ command: String...) throws -> CommandResult {
    try reconcileLease(["--hold", path, "--"] + command)
  }

  private func reconcileLease(_ arguments: [String]) throws -> CommandResult {
    try ScratchHost.run(["lease", "--config", host.config] + arguments)
  }

  func testCommandRunsHoldingTheLeaseAndItIsFreeAfterwards() throws {
    let inside = try lease("tmp/sandbox-idmap-9.lock", "/usr/bin/flock", "-n", "-E", "3", lock, "true")
    XCTAssertEqual(inside.status, 3, "held while the command runs: \(inside.stderr)")
    XCTAssertEqual(try lease(lock, "/bin/true").status, 0, "free once it exited")
    var info = stat()
    XCTAssertEqual(lstat(lock, &info), 0)
    XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG)
  }

  func testLeaseHeldByAnotherBuildExits75() throws {
    let build = try HostFixture.holdLease(lock)
    defer { build.release() }
    let second = try lease(lock, "/bin/true")
    XCTAssertEqual(second.status, 75)
    XCTAssertTrue(second.stderr.contains("held by another build"), second.stderr)
  }

  func testPlantedSymlinkOrHardLinkIsRefusedAndNothingOutsideChanges() throws {
    try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: victim)
    let throughSymlink = try lease(lock, "/bin/true")
    XCTAssertEqual(throughSymlink.status, 1)
    XCTAssertTrue(throughSymlink.stderr.contains(lock), throughSymlink.stderr)
    try FileManager.default.removeItem(atPath: lock)
    try FileManager.default.linkItem(atPath: victim, toPath: lock)
    let throughHardLink = try lease(lock, "/bin/true")
    XCTAssertEqual(throughHardLink.status, 1)
    XCTAssertTrue(throughHardLink.stderr.contains("single link"), throughHardLink.stderr)
    XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
  }

  func testLockDirectorySwappedForASymlinkIsRefused() throws {
    let outside = host.base + "/outside"
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try FileManager.default.moveItem(atPath: host.root + "/tmp", toPath: host.root + "/tmp-moved")
    try FileManager.default.createSymbolicLink(atPath: host.root + "/tmp", withDestinationPath: outside)
    XCTAssertEqual(try lease(lock, "/bin/true").status, 1)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], "no lock file created outside")
  }

  func testOnlyTheConfigsLeaseLocksMayBeHeld() throws {
    for path in ["tmp/other.lock", "../../etc/passwd", host.base + "/victim", "tmp/sandbox-idmap-9"] {
      let result = try lease(path, "/bin/true")
      XCTAssertEqual(result.status, 1, "\(path): \(result.stderr)")
    }
    XCTAssertEqual(try reconcileLease(["--hold", lock]).status, 64, "no command")
  }
}
