import Foundation
import Reconciler
import SeedHost
import XCTest
import _ReconcileTestSupport

/// `reconcile migrate` and the migration inside full runs, on a real tree.
final class MigrateCommandTests: PrivilegedTestCase {
  private var builtFile: String { host.root + "/overlays/12/left4dead2/cfg/sourcemod/built.cfg" }
  private var record: String { host.root + "/.reconcile/migrations/overlays-owned-by-left4me.json" }

  private func owner(_ path: String) -> UInt32 {
    var info = stat()
    return lstat(path, &info) == 0 ? info.st_uid : UInt32.max
  }

  func testHeldLeaseDefersTheMigrationAndItsReleaseLetsItRun() throws {
    try host.seed.build()
    let lease = try HostFixture.holdLease(host.root + "/tmp/sandbox-idmap-12.lock")

    let deferred = try reconcile("migrate", "--format", "json")

    XCTAssertEqual(deferred.status, 75, deferred.stdout + deferred.stderr)
    let steps = try XCTUnwrap(try deferred.json()["steps"] as? [[String: Any]])
    XCTAssertEqual(steps.first?["action"] as? String, "chown")
    XCTAssertEqual(steps.first?["status"] as? String, "skipped")
    XCTAssertEqual(owner(builtFile), SeedHost.sandbox)
    XCTAssertFalse(FileManager.default.fileExists(atPath: record))
    let full = try reconcile("--format", "json")
    XCTAssertEqual(full.status, 75, "a full run mounts everything else and reports the deferral: \(full.stdout)")
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1)

    lease.release()
    let done = try reconcile("migrate", "--format", "json")
    XCTAssertEqual(done.status, 0, done.stdout + done.stderr)
    XCTAssertEqual(owner(builtFile), SeedHost.left4me)
    let chown = try XCTUnwrap((try done.json()["steps"] as? [[String: Any]])?.first)
    XCTAssertEqual(chown["changed"] as? Int, 9, "overlays/12 and the 8 entries below it")
    XCTAssertEqual(chown["skipped_other_mounts"] as? Int, 0)
    let saved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: record))) as? [String: Any]
    XCTAssertEqual(saved?["changed"] as? Int, 9)
    XCTAssertNotNil(saved?["digest"] as? String)
  }

  func testWaitReturnsOnceABuildReleasesItsLease() throws {
    try host.seed.build()
    let lock = host.root + "/tmp/sandbox-idmap-12.lock"
    let build = Process()
    build.executableURL = URL(fileURLWithPath: "/bin/sh")
    build.arguments = ["-c", "exec 9>'\(lock)'; flock 9; echo locked; sleep 2"]
    let told = Pipe()
    build.standardOutput = told
    try build.run()
    defer {
      kill(build.processIdentifier, SIGKILL)
      build.waitUntilExit()
    }
    // The build says when it holds its lease.
    XCTAssertEqual(told.fileHandleForReading.availableData, Data("locked\n".utf8))

    let started = Date()
    let result = try reconcile("migrate", "--wait", "20")

    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertGreaterThan(Date().timeIntervalSince(started), 1.0, "it waited for the build")
    XCTAssertEqual(owner(builtFile), SeedHost.left4me)
  }

  func testRecordedMigrationIsSkippedAndAChangedDefinitionIsRefused() throws {
    try host.seed.build()
    XCTAssertEqual(try reconcile("migrate").status, 0)
    let again = try reconcile("migrate", "--format", "json")
    XCTAssertEqual(again.status, 0)
    XCTAssertEqual((try again.json()["steps"] as? [Any])?.count, 0, "a recorded migration costs nothing")
    XCTAssertEqual(try reconcile("--dry-run").status, 2, "mounts are still pending, the migration is not")

    try HostFixture.chown(builtFile, uid: SeedHost.sandbox, gid: SeedHost.sandbox)
    let config = try String(contentsOfFile: host.config, encoding: .utf8)
    try config.replacing("path: overlays,", with: "path: overlays/12,").write(
      toFile: host.config, atomically: true, encoding: .utf8)
    let changed = try reconcile("migrate", "--format", "json")
    XCTAssertEqual(changed.status, 1)
    let errors = try XCTUnwrap(try changed.json()["errors"] as? [[String: Any]])
    XCTAssertTrue(errors.contains { ($0["message"] as? String ?? "").contains("definition changed") }, "\(errors)")
    XCTAssertEqual(owner(builtFile), SeedHost.sandbox, "not silently re-run")
  }

  func testDryRunCountsWhatWouldChangeAndChangesNothing() throws {
    try host.seed.build()
    let before = host.treeSnapshot()
    let result = try reconcile("migrate", "--dry-run", "--format", "json")
    XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
    let chown = try XCTUnwrap((try result.json()["steps"] as? [[String: Any]])?.first)
    XCTAssertEqual(chown["changed"] as? Int, 9)
    XCTAssertEqual(chown["status"] as? String, "planned")
    XCTAssertEqual(host.treeSnapshot(), before)
    XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/.reconcile"))
  }
}
