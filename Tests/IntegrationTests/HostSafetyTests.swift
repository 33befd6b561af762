import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The hosts reconcile will meet: an operator's own mounts, and game servers running
/// on mounts that drifted (DESIGN §4 invariants 2, 13 and 15).
final class HostSafetyTests: PrivilegedTestCase {
  /// Invariant 2: a tmpfs on a managed directory and a filesystem on `root` are the
  /// operator's, whatever is on them.
  func testOperatorsTmpfsOnAManagedDirectoryAndAFilesystemOnRootSurviveApply() throws {
    // The filesystem on root: a directory of the scratch host bound there (a tmpfs could
    // not hold the seed's idmapped bind before 6.3).
    try FileManager.default.createDirectory(atPath: host.root, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: host.base + "/disk", withIntermediateDirectories: true)
    try HostFixture.bind(host.base + "/disk", at: host.root)
    try host.seed.build()
    try HostFixture.mountTmpfs(at: host.root + "/tmp")
    try host.seed.write(host.root + "/tmp/operator-notes.txt", "keep me\n")
    XCTAssertEqual(try reconcile().status, 0, "the seed's instances mount")

    let dryRun = try reconcile("--dry-run", "--format", "json")

    XCTAssertEqual(dryRun.status, 0, dryRun.stdout)
    let steps = try XCTUnwrap(try dryRun.json()["steps"] as? [[String: Any]])
    XCTAssertTrue(steps.isEmpty, "nothing planned for the operator's mounts: \(steps)")
    XCTAssertEqual(try reconcile().status, 0)
    XCTAssertEqual(host.mountLines().filter { $0.split(separator: " ")[4] == host.root }.count, 1, "root's filesystem")
    XCTAssertEqual(host.stackDepth("tmp"), 1, "the operator's tmpfs")
    XCTAssertEqual(try String(contentsOfFile: host.root + "/tmp/operator-notes.txt", encoding: .utf8), "keep me\n")
  }

  /// Invariant 13: a declared mount that drifted while a server runs on it waits for
  /// the instance's next start; the timer's run exits 75, not 1.
  func testBusyDriftedMountWaitsForTheInstancesNextStart() throws {
    try host.seed.build()
    XCTAssertEqual(try reconcile().status, 0)
    let merged = host.root + "/runtime/1/merged"
    let server = try BusyHolder(workingIn: merged + "/left4dead2")
    defer { server.stop() }
    // The instance's layers change while its server runs.
    try host.seed.write(
      host.seed.instancesDirectory + "/1.yaml",
      """
      mounts:
        - type: overlay
          target: runtime/1/merged
          lowerdirs: [installation]
          upperdir: runtime/1/upper
          workdir: runtime/1/work

      """)
    // An orphan elsewhere is still removed in the same run.
    try FileManager.default.createDirectory(atPath: host.root + "/runtime/9/old", withIntermediateDirectories: true)
    try HostFixture.bind(host.root + "/overlays/4", at: host.root + "/runtime/9/old")

    let timer = try reconcile("--format", "json")

    XCTAssertEqual(timer.status, 75, timer.stdout + timer.stderr)
    let json = try timer.json()
    XCTAssertEqual((json["errors"] as? [Any])?.count, 0, "\(json["errors"] ?? "")")
    let steps = try XCTUnwrap(json["steps"] as? [[String: Any]])
    let remake = steps.filter { $0["target"] as? String == merged }
    XCTAssertEqual(remake.map { "\($0["action"]!) \($0["status"]!)" }, ["unmount skipped", "mount skipped"])
    let detail = remake.first?["detail"] as? String ?? ""
    XCTAssertTrue(detail.contains("EBUSY") && detail.contains("\(server.pid)"), detail)
    XCTAssertEqual(remake.first?["when_busy"] as? String, "wait-for-restart")
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1, "the running server's mount stays")
    XCTAssertTrue(
      FileManager.default.fileExists(atPath: merged + "/left4dead2/addons/workshop_map.vpk"), "old layers still served")
    XCTAssertEqual(host.stackDepth("runtime/9/old"), 0, "the orphan went")
    let status = try statusFile()
    XCTAssertEqual(status["outcome"] as? String, "deferred")
    XCTAssertEqual(status["exit_code"] as? Int, 75)
    XCTAssertGreaterThan(status["drift_pending"] as? Int ?? 0, 0)

    let again = try reconcile()
    XCTAssertEqual(again.status, 75)
    XCTAssertTrue(again.stdout.contains("waits for its instance's next start"), again.stdout)
    XCTAssertFalse(again.stdout.contains("lease"), "no build is to blame: \(again.stdout)")

    // The server stops; its unit's next start runs the instance's hook.
    server.stop()
    let start = try reconcile("--instance", "1")
    XCTAssertEqual(start.status, 0, start.stdout + start.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: merged + "/left4dead2/addons/workshop_map.vpk"), "new layers")
    XCTAssertEqual(try reconcile("--dry-run").status, 0)
  }

  /// Invariant 8: a hook run with `umask 077` still makes 0755 directories, or the
  /// game server (not root) could not reach its merged tree.
  func testCallersUmaskDoesNotChangeTheModesOfWhatReconcileMakes() throws {
    try host.seed.build()
    let run = try CommandResult.run(
      executable: "/bin/sh",
      arguments: ["-c", "umask 077; exec \"$0\" --config \"$1\"", ScratchHost.reconcileBinary, host.config])
    XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    for path in ["runtime/2/build", "runtime/3/upper", ".reconcile", ".reconcile/migrations"] {
      var info = stat()
      XCTAssertEqual(lstat(host.root + "/" + path, &info), 0, path)
      XCTAssertEqual(info.st_mode & 0o7777, 0o755, path)
    }
    var status = stat()
    XCTAssertEqual(lstat(host.root + "/.reconcile/status.json", &status), 0)
    XCTAssertEqual(status.st_mode & 0o7777, 0o644)
  }

  /// Invariant 15: a failing timer, a succeeding hook, a failing timer: the last
  /// success has not moved.
  func testHookRunsDoNotRefreshTheTimersLastSuccess() throws {
    try host.seed.build()
    let metrics = host.base + "/reconcile.prom"
    XCTAssertEqual(try reconcile("--metrics-file", metrics).status, 0)
    let success = try XCTUnwrap(try statusFile()["last_success_unix_time"] as? Double)
    chmod(host.seed.instancesDirectory + "/3.yaml", 0o666)  // refused: the full run fails

    XCTAssertEqual(try reconcile("--metrics-file", metrics).status, 1)
    XCTAssertEqual(try reconcile("--instance", "1", "--metrics-file", metrics).status, 0)
    XCTAssertEqual(try reconcile("--metrics-file", metrics).status, 1)

    let status = try statusFile()
    XCTAssertEqual(status["last_success_unix_time"] as? Double, success)
    XCTAssertEqual(status["outcome"] as? String, "error")
    let hook = try XCTUnwrap(status["last_instance_run"] as? [String: Any])
    XCTAssertEqual(hook["exit_code"] as? Int, 0)
    XCTAssertEqual(hook["command"] as? String, "reconcile --instance 1")
    let text = try String(contentsOfFile: metrics, encoding: .utf8)
    // Two JSON parsers may round the last digit apart: compare as numbers.
    let gauge = text.split(separator: "\n").first { $0.hasPrefix("reconcile_last_success_timestamp_seconds ") }
    let value = try XCTUnwrap(gauge.flatMap { Double($0.split(separator: " ")[1]) }, text)
    XCTAssertEqual(value, success, accuracy: 1e-3)
    XCTAssertTrue(text.contains("reconcile_last_run_exit_code 1\n"), text)
    XCTAssertTrue(text.contains("reconcile_last_instance_run_exit_code 0\n"), text)
  }

  private func statusFile() throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: host.root + "/.reconcile/status.json"))
    return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
  }
}
