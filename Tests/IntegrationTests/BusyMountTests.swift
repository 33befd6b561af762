import SeedHost
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// Invariant 3: never unmount lazily; on EBUSY name the holder and carry on.
final class BusyMountTests: PrivilegedTestCase {
  func testBusyOrphanIsReportedWithItsHolderAndTheRestStillApplies() throws {
    try host.seed.build()
    let orphan = host.root + "/runtime/9/old"
    try FileManager.default.createDirectory(atPath: orphan, withIntermediateDirectories: true)
    try HostFixture.bind(host.root + "/overlays/4", at: orphan)
    let holder = try BusyHolder(workingIn: orphan + "/left4dead2")
    defer { holder.stop() }

    let result = try reconcile("--format", "json")

    XCTAssertEqual(result.status, 1)
    let steps = try XCTUnwrap(try result.json()["steps"] as? [[String: Any]])
    let busy = try XCTUnwrap(steps.first { $0["target"] as? String == orphan })
    XCTAssertEqual(busy["status"] as? String, "failed")
    let detail = busy["detail"] as? String ?? ""
    XCTAssertTrue(
      detail.contains("EBUSY") && detail.contains("\(holder.pid)") && detail.contains("sleep"), detail)
    XCTAssertEqual(host.stackDepth("runtime/9/old"), 1, "still mounted, not lazily detached")
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1, "other instances were still handled")

    holder.stop()
    XCTAssertEqual(try reconcile().status, 0)
    XCTAssertEqual(host.stackDepth("runtime/9/old"), 0)
  }
}
