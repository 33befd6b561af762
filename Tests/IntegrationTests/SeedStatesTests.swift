import Foundation
import Reconciler
import SeedHost
import XCTest
import _ReconcileTestSupport

/// Every broken state of the seeds, detected by a dry run and repaired by apply.
final class SeedStatesTests: PrivilegedTestCase {
  func testDryRunLeavesMountTableAndTreeByteForByteUnchanged() throws {
    try host.seed.build()
    let lease = try host.seed.breakIt()
    defer { lease.release() }
    let mountsBefore = host.mountLines()
    let treeBefore = host.treeSnapshot()

    let result = try reconcile("--dry-run", "--format", "json")

    XCTAssertEqual(result.status, 1, "instance 3 is refused, so the dry run reports an error: \(result.stdout)")
    XCTAssertEqual(host.mountLines(), mountsBefore)
    XCTAssertEqual(host.treeSnapshot(), treeBefore)
    XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/.reconcile"), "no state dir, no lock file")
    let json = try result.json()
    XCTAssertEqual(json["dry_run"] as? Bool, true)
    let steps = try XCTUnwrap(json["steps"] as? [[String: Any]])
    XCTAssertTrue(steps.allSatisfy { $0["status"] as? String == "planned" })
    let unmounts = steps.filter { $0["action"] as? String == "unmount" }.map { "\($0["target"]!) \($0["reason"]!)" }
    let idmap = host.root + "/runtime/2/idmap/overlays_9"
    XCTAssertEqual(unmounts.filter { $0.hasPrefix(idmap) }.count, 3, "every stacked legacy bind: \(unmounts)")
    XCTAssertTrue(unmounts.contains(host.root + "/tmp/sandbox-idmap-9 lease-released"))
    XCTAssertFalse(unmounts.contains { $0.hasPrefix(host.root + "/tmp/sandbox-idmap-4") }, "its lease is held")
    XCTAssertTrue(unmounts.contains(host.root + "/runtime/1/merged differs"))
    let errors = try XCTUnwrap(json["errors"] as? [[String: Any]])
    XCTAssertTrue(errors.contains { ($0["message"] as? String ?? "").contains("user.fuseoverlayfs.origin") })
  }

  func testApplyConvergesKeepsUpperdirContentAndSecondRunPlansNothing() throws {
    try host.seed.build()
    let lease = try host.seed.breakIt()
    try host.seed.write(host.root + "/runtime/1/merged/left4dead2/cfg/written-by-game.cfg", "sv_cheats 0\n")

    let first = try reconcile("--format", "json")

    XCTAssertEqual(first.status, 1, "instance 3 stays refused: \(first.stdout)")
    XCTAssertEqual(host.stackDepth("runtime/2/idmap/overlays_9"), 0)
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: host.root + "/runtime/2/idmap/overlays_9"), "orphan dir removed")
    XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-9"), 0, "leaked staging bind removed")
    XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 1, "leased staging bind kept")
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1)
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1)
    XCTAssertEqual(host.stackDepth("runtime/2/build"), 1)
    XCTAssertEqual(host.stackDepth("runtime/3/merged"), 0, "tainted upperdir never mounted")
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: host.root + "/runtime/1/merged/left4dead2/addons/workshop_map.vpk"),
      "the replaced overlay shows its new layer")
    XCTAssertEqual(
      try String(contentsOfFile: host.root + "/runtime/1/merged/left4dead2/cfg/written-by-game.cfg", encoding: .utf8),
      "sv_cheats 0\n", "upperdir content survives the remount")
    let pending = try XCTUnwrap(try first.json()["pending"] as? [[String: Any]])
    XCTAssertEqual(
      pending.map { $0["action"] as? String }, ["chown", "record"], "only the migration waits, for the lease")

    try host.seed.cleanTaintedUpperdir()
    lease.release()
    XCTAssertEqual(try reconcile().status, 0)
    XCTAssertEqual(host.stackDepth("runtime/3/merged"), 1)
    XCTAssertEqual(host.stackDepth("tmp/sandbox-idmap-4"), 0, "released lease: staging bind removed")

    let mountsBefore = host.mountLines()
    let again = try reconcile("--format", "json")
    XCTAssertEqual(again.status, 0)
    XCTAssertEqual((try again.json()["steps"] as? [Any])?.count, 0)
    XCTAssertEqual(host.mountLines(), mountsBefore)
    XCTAssertEqual(try reconcile("--dry-run").status, 0)
  }

  func testNewMountsArePrivateEvenUnderASharedParent() throws {
    try host.seed.build()
    try HostFixture.makeShared(host.base)
    XCTAssertEqual(try reconcile().status, 0)
    let ours = host.mountLines().filter { $0.contains(host.root + "/runtime/") }
    XCTAssertEqual(ours.count, 4)
    for line in ours {
      XCTAssertFalse(line.contains("shared:") || line.contains("master:"), line)
    }
  }
}
