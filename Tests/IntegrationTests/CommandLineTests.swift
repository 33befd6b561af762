import Foundation
import Probes
import Reconciler
import XCTest
import _ReconcileTestSupport

/// The outward contract of the binary on a real host: version, JSON keys, saved tables.
/// Usage errors, help and dry-run exit codes need no root: `reconcileTests`.
final class CommandLineTests: PrivilegedTestCase {
  func testVersionPrintsAndRunsNothing() throws {
    try host.seed.build()
    let result = try reconcile("--version")
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "0.1.0")
    XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/.reconcile"), "no run happened")
    XCTAssertEqual(try ScratchHost.run(["migrate", "--version"]).status, 0)
  }

  func testJSONCarriesTheDesignKeys() throws {
    try host.seed.build()
    let json = try reconcile("--dry-run", "--format", "json").json()
    for key in ["dry_run", "converged", "steps", "errors"] { XCTAssertNotNil(json[key], key) }
    let step = try XCTUnwrap((json["steps"] as? [[String: Any]])?.first)
    for key in ["action", "target", "reason", "instance", "status"] { XCTAssertTrue(step.keys.contains(key), key) }
    XCTAssertEqual(json["converged"] as? Bool, false)
  }

  func testSavedMountTableIsPlannedAgainstAndNothingChanges() throws {
    try host.seed.build()
    let lease = try host.seed.breakIt()
    defer { lease.release() }
    let saved = host.base + "/captured.mountinfo"
    try ProcFile.read("/proc/self/mountinfo").write(toFile: saved, atomically: false, encoding: .utf8)
    // The live host is then repaired; the saved table still shows the broken one.
    try host.seed.cleanTaintedUpperdir()
    _ = try reconcile()
    let before = host.mountLines()

    let result = try reconcile("--mountinfo", saved, "--format", "json")

    XCTAssertEqual(result.status, 2, result.stdout + result.stderr)
    XCTAssertEqual(host.mountLines(), before)
    let json = try result.json()
    XCTAssertEqual(json["dry_run"] as? Bool, true)
    let steps = json["steps"] as? [[String: Any]] ?? []
    let targets = steps.compactMap { $0["target"] as? String }
    let unmounts = steps.filter { $0["action"] as? String == "unmount" }.compactMap { $0["target"] as? String }
    XCTAssertEqual(unmounts.filter { $0 == host.root + "/runtime/2/idmap/overlays_9" }.count, 3, "\(unmounts)")
    XCTAssertFalse(targets.contains(host.root + "/tmp/sandbox-idmap-9"), "leases are unknown in a saved table: kept")
  }

  func testLayerListLongerThanOnePageMounts() throws {
    try host.seed.build()
    var layers: [String] = []
    for index in 0..<120 {
      let name = "overlays/layer-\(index)-with-a-rather-long-descriptive-name"
      try host.seed.write(host.root + "/" + name + "/file-\(index)", "\(index)\n")
      layers.append(name)
    }
    XCTAssertGreaterThan(layers.map { host.root.count + 1 + $0.count + 1 }.reduce(0, +), 4096)
    try host.seed.write(
      host.seed.instancesDirectory + "/7.yaml",
      """
      mounts:
        - type: overlay
          target: runtime/7/merged
          lowerdirs: [\(layers.joined(separator: ", ")), installation]
          upperdir: runtime/7/upper
          workdir: runtime/7/work

      """)
    let result = try reconcile("--instance", "7")
    guard KernelFeatureProbe.probedOnce.overlayLowerdirPlus else {
      // Before 6.8 the layers go as mount(2) data, one page at most: a located refusal
      // naming the version, and nothing mounted.
      XCTAssertEqual(result.status, 1, result.stdout)
      XCTAssertTrue(
        result.stderr.contains("runtime/7/merged") && result.stderr.contains("lacks lowerdir+ (Linux 6.8)")
          && result.stderr.contains("E2BIG"), result.stderr)
      XCTAssertEqual(host.stackDepth("runtime/7/merged"), 0)
      return
    }
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertEqual(host.stackDepth("runtime/7/merged"), 1)
    XCTAssertTrue(FileManager.default.fileExists(atPath: host.root + "/runtime/7/merged/file-119"))
    XCTAssertEqual(try reconcile("--dry-run", "--instance", "7").status, 0, "the decoded layers match")
  }
}
