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
    try host.seed.cleanTaintedUpperdir()
    let group = DispatchGroup()
    var statuses = [Int32](repeating: -1, count: 4)
    let lock = NSLock()
    for index in 0..<4 {
      group.enter()
      DispatchQueue.global().async {
        let status = (try? ScratchHost.run(["--config", self.host.config, "--lock-timeout", "60"]))?.status ?? -2
        lock.lock()
        statuses[index] = status
        lock.unlock()
        group.leave()
      }
    }
    group.wait()
    XCTAssertEqual(statuses, [0, 0, 0, 0])
    for target in ["runtime/1/merged", "runtime/2/merged", "runtime/2/build", "runtime/3/merged"] {
      XCTAssertEqual(host.stackDepth(target), 1, target)
    }
  }
}
