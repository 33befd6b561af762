import Foundation
import Reconciler
import SeedHost
import XCTest
import _ReconcileTestSupport

/// The web app's user (uid 980) owns directories under `root` and plants symlinks and
/// hard links where root will open, create or remove something. Nothing outside
/// `root` may be created, truncated or removed, and each refusal names the path.
final class HostileUserTests: PrivilegedTestCase {
  private var outside: String { host.base + "/outside" }
  private var victim: String { outside + "/victim" }

  override func setUpWithError() throws {
    try super.setUpWithError()
    try host.seed.build()
    try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    try host.seed.write(victim, "precious\n")
    for directory in ["overlays", "tmp", "runtime", ""] {
      try HostFixture.chown(
        host.root + (directory.isEmpty ? "" : "/" + directory), uid: SeedHost.left4me, gid: SeedHost.left4me)
    }
  }

  private func assertOutsideUntouched(file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n", file: file, line: line)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["victim"], file: file, line: line)
  }

  private func output(_ result: CommandResult) -> String { result.stdout + result.stderr }

  func testStateDirectorySymlinkIsRefused() throws {
    try FileManager.default.createSymbolicLink(atPath: host.root + "/.reconcile", withDestinationPath: outside)

    let run = try reconcile()

    XCTAssertEqual(run.status, 1, output(run))
    XCTAssertTrue(output(run).contains(host.root + "/.reconcile") && output(run).contains("symlink"), output(run))
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 0, "nothing applied without the lock")
    try assertOutsideUntouched()
  }

  func testStateDirectoryOwnedByTheAppUserIsRefused() throws {
    try FileManager.default.createDirectory(atPath: host.root + "/.reconcile", withIntermediateDirectories: false)
    try HostFixture.chown(host.root + "/.reconcile", uid: SeedHost.left4me, gid: SeedHost.left4me)

    let run = try reconcile()

    XCTAssertEqual(run.status, 1, output(run))
    XCTAssertTrue(output(run).contains("owned by uid 980"), output(run))
    XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/.reconcile/lock"))
  }

  func testLockSymlinkAndStatusHardLinkAreNeitherFollowedNorWrittenThrough() throws {
    XCTAssertEqual(try reconcile().status, 0)
    let state = host.root + "/.reconcile"
    try FileManager.default.removeItem(atPath: state + "/lock")
    try FileManager.default.createSymbolicLink(atPath: state + "/lock", withDestinationPath: victim)

    let locked = try reconcile()

    XCTAssertEqual(locked.status, 1, output(locked))
    XCTAssertTrue(output(locked).contains(state + "/lock"), output(locked))
    try assertOutsideUntouched()

    try FileManager.default.removeItem(atPath: state + "/lock")
    try FileManager.default.removeItem(atPath: state + "/status.json")
    try FileManager.default.linkItem(atPath: victim, toPath: state + "/status.json")
    XCTAssertEqual(try reconcile().status, 0)
    try assertOutsideUntouched()
    let status = try FileManager.default.attributesOfItem(atPath: state + "/status.json")
    XCTAssertEqual((status[.referenceCount] as? NSNumber)?.intValue, 1, "status.json replaced, not written through")
  }

  func testPlantedMigrationRecordDoesNotMakeTheMigrationLookDone() throws {
    let records = host.root + "/.reconcile/migrations"
    try FileManager.default.createDirectory(atPath: records, withIntermediateDirectories: true)
    chmod(host.root + "/.reconcile", 0o755)
    chmod(records, 0o755)
    let record = records + "/overlays-owned-by-left4me.json"
    try host.seed.write(
      record,
      #"{"id":"overlays-owned-by-left4me","definition":"","digest":"","finished_at":"","changed":0,"skipped_foreign":0,"skipped_other_mounts":0,"duration_seconds":0}"#
    )
    try HostFixture.chown(record, uid: SeedHost.left4me, gid: SeedHost.left4me)

    let run = try ScratchHost.run(["migrate", "--config", host.config])

    XCTAssertEqual(run.status, 1, output(run))
    XCTAssertTrue(output(run).contains(record) && output(run).contains("owned by uid 980"), output(run))
    var info = stat()
    XCTAssertEqual(lstat(host.root + "/overlays/12/left4dead2/cfg/sourcemod/built.cfg", &info), 0)
    XCTAssertEqual(info.st_uid, SeedHost.sandbox, "the migration neither ran blindly nor counts as done")
  }

  func testTargetWhoseParentIsASymlinkOutIsRefusedAndNothingIsMadeOutside() throws {
    try FileManager.default.removeItem(atPath: host.root + "/runtime/1")
    try FileManager.default.createSymbolicLink(atPath: host.root + "/runtime/1", withDestinationPath: outside)

    let run = try reconcile("--format", "json")

    XCTAssertEqual(run.status, 1, output(run))
    XCTAssertTrue(run.stdout.contains(host.root + "/runtime/1"), run.stdout)
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1, "other instances still reconciled")
    try assertOutsideUntouched()
  }

  func testLeaseLockSymlinkIsNotOpenedForWritingAndKeepsItsBind() throws {
    try HostFixture.bind(host.root + "/overlays/9", at: host.root + "/tmp/sandbox-idmap-9")
    try FileManager.default.createSymbolicLink(
      atPath: host.root + "/tmp/sandbox-idmap-9.lock", withDestinationPath: victim)

    _ = try reconcile()

    try assertOutsideUntouched()
    XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-9"), 1, "a lease that cannot be checked counts as held")
  }

  /// The acts themselves go through the parent opened beneath root: a parent swapped
  /// for a symlink after planning leads nowhere.
  func testUnmountAndRmdirThroughASymlinkedParentFail() throws {
    try FileManager.default.createDirectory(atPath: outside + "/m", withIntermediateDirectories: true)
    try HostFixture.mountTmpfs(at: outside + "/m")
    try FileManager.default.createSymbolicLink(atPath: host.root + "/runtime/9", withDestinationPath: outside)
    let system = KernelMountSystem()

    XCTAssertEqual(system.unmount(host.root + "/runtime/9/m", beneath: host.root).failure, .tooManySymbolicLinkLevels)
    XCTAssertEqual(
      system.mountID(at: host.root + "/runtime/9/m", beneath: host.root).failure, .tooManySymbolicLinkLevels)
    XCTAssertEqual(
      system.removeDirectory(host.root + "/runtime/9/m", beneath: host.root).failure, .tooManySymbolicLinkLevels)
    XCTAssertEqual(host.mountLines().filter { $0.contains(outside + "/m") }.count, 1, "the mount outside stays")
    try HostFixture.unmount(outside + "/m")
  }
}

extension Result {
  fileprivate var failure: Failure? {
    if case .failure(let error) = self { return error }
    return nil
  }
}
