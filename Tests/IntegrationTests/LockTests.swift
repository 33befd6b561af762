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
}
