import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// Invariant 7: apply holds an exclusive flock for the whole run.
final class LockTests: PrivilegedTestCase {
  func testHeldLockMakesApplyExit75AndChangeNothing() throws {
    try host.seed.build()
    try FileManager.default.createDirectory(atPath: host.root + "/.reconcile", withIntermediateDirectories: true)
    let lock = try HostFixture.holdLease(host.root + "/.reconcile/lock")
    defer { lock.release() }
    let before = host.mountLines()
    let result = try reconcile("--lock-timeout", "0.3")
    XCTAssertEqual(result.status, 75, result.stdout + result.stderr)
    XCTAssertTrue(result.stdout.contains("another reconcile run holds"), result.stdout)
    XCTAssertEqual(host.mountLines(), before)
  }

  func testParallelAppliesSerializeAndStackNothing() throws {
    try host.seed.build()
    let processes = (0..<4).map { _ in
      let process = Process()
      process.executableURL = URL(fileURLWithPath: ScratchHost.reconcileBinary)
      process.arguments = ["--config", host.config, "--lock-timeout", "60"]
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      return process
    }
    for process in processes { try process.run() }
    for process in processes { process.waitUntilExit() }
    let statuses = processes.map(\.terminationStatus)
    XCTAssertEqual(statuses, [0, 0, 0, 0])
    for target in ["runtime/1/merged", "runtime/2/merged", "runtime/2/build", "runtime/3/merged"] {
      XCTAssertEqual(host.stackDepth(target), 1, target)
    }
  }

  /// A run that waited for the lock acts on the manifests as they are when it gets
  /// it: a unit's start hook may have written one meanwhile (seen in the e2e test).
  func testRunThatWaitedForTheLockReadsTheManifestsAgain() throws {
    try host.seed.build()
    try FileManager.default.createDirectory(atPath: host.root + "/.reconcile", withIntermediateDirectories: true)
    let lock = try HostFixture.holdLease(host.root + "/.reconcile/lock")
    let opens = try FileEvents(watchingOpensOf: host.root + "/.reconcile/lock")
    let waiting = Process()
    waiting.executableURL = URL(fileURLWithPath: ScratchHost.reconcileBinary)
    waiting.arguments = ["--config", host.config, "--lock-timeout", "30"]
    waiting.standardOutput = FileHandle.nullDevice
    waiting.standardError = FileHandle.nullDevice
    try waiting.run()
    // It opens the lock once it has loaded the manifests, then waits for it.
    XCTAssertTrue(opens.waitForOpen(within: 30), "the run never reached the lock")
    try host.seed.write(
      host.seed.instancesDirectory + "/7.yaml",
      """
      mounts:
        - type: overlay
          target: runtime/7/merged
          lowerdirs: [overlays/4, installation]
          upperdir: runtime/7/upper
          workdir: runtime/7/work

      """)
    lock.release()
    waiting.waitUntilExit()
    XCTAssertEqual(waiting.terminationStatus, 0)
    XCTAssertEqual(host.stackDepth("runtime/7/merged"), 1, "the manifest written while it waited was read")
  }
}
