import Foundation
import Probes
import Reconciler
import SeedHost
import XCTest
import _ReconcileTestSupport

/// The idmap direction, checked on a real mount: on-disk id first, id seen through
/// the mount second (util-linux X-mount.idmap order), as the seed's sandbox uses it.
final class IdmapTests: PrivilegedTestCase {
  func testIdmappedBindShowsOnDiskOwnerAsSeenIDAndWritesLandAsOnDiskOwner() throws {
    try host.seed.build()
    try host.seed.write(
      host.seed.instancesDirectory + "/5.yaml",
      """
      mounts:
        - type: bind
          source: overlays/9
          target: tmp/sandbox-staging-5
          idmap: {users: "980:981:1", groups: "980:981:1"}

      """)
    let result = try reconcile("--instance", "5")
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)

    let staging = host.root + "/tmp/sandbox-staging-5"
    var info = stat()
    XCTAssertEqual(lstat(staging + "/left4dead2/addons/sourcemod/plugins/admin.smx", &info), 0)
    XCTAssertEqual(info.st_uid, SeedHost.sandbox, "on-disk left4me (980) is seen as l4d2-sandbox (981)")
    XCTAssertEqual(info.st_gid, SeedHost.sandbox)

    // The sandbox uid writes through the mount; the file lands on disk as left4me.
    let write = try CommandResult.run(
      executable: "/usr/bin/setpriv",
      arguments: ["--reuid=981", "--regid=981", "--clear-groups", "/usr/bin/touch", staging + "/built.txt"])
    XCTAssertEqual(write.status, 0, write.stderr)
    XCTAssertEqual(lstat(host.root + "/overlays/9/built.txt", &info), 0)
    XCTAssertEqual(info.st_uid, SeedHost.left4me)
    XCTAssertEqual(info.st_gid, SeedHost.left4me)
    XCTAssertEqual(try reconcile("--dry-run", "--instance", "5").status, 0, "the idmapped bind matches")
  }

  func testReadOnlyIdmappedBindRefusesWrites() throws {
    try host.seed.build()
    XCTAssertEqual(try reconcile("--instance", "2").status, 0)
    let build = host.root + "/runtime/2/build"
    let write = try CommandResult.run(
      executable: "/usr/bin/setpriv",
      arguments: ["--reuid=981", "--regid=981", "--clear-groups", "/usr/bin/touch", build + "/x"])
    XCTAssertNotEqual(write.status, 0)
    XCTAssertTrue(write.stderr.contains("Read-only"), write.stderr)
  }

  /// Where statmount reports no maps (before 6.15), owners through the mount and
  /// through its source show the mapping: the map it was made with agrees, a map
  /// sending the same on-disk ids elsewhere does not, and a plan against the wrong
  /// map remakes the bind.
  func testOwnersThroughTheMountTellTheMapApartWithoutStatmount() throws {
    try host.seed.build()
    let source = host.root + "/overlays/9"
    let target = host.root + "/tmp/sandbox-staging-6"
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
    let made = IDRange(onDisk: SeedHost.left4me, seenThroughMount: SeedHost.sandbox, count: 1)
    let bind = ResolvedBind(
      source: source, sourceRoot: host.root + "/overlays", readOnly: true,
      idmap: ResolvedIDMap(users: made, groups: made))
    if case .failure(let error) = KernelMountSystem().mountBind(bind, at: target, beneath: host.root) {
      return XCTFail("\(error)")
    }

    let observed = try XCTUnwrap(IDMapProbe().sampledOwners(at: target, source: source))

    XCTAssertTrue(
      observed.samples.contains { $0.onDiskUID == SeedHost.left4me && $0.seenUID == SeedHost.sandbox },
      "the layer's left4me-owned entries are sampled: \(observed.samples)")
    XCTAssertTrue(observed.agrees(uids: made.range, gids: made.range))
    let elsewhere = IDMapRange(onDisk: SeedHost.left4me, seen: 1234, count: 1)
    XCTAssertFalse(observed.agrees(uids: elsewhere, gids: made.range))
    XCTAssertFalse(observed.agrees(uids: made.range, gids: elsewhere))
  }
}
