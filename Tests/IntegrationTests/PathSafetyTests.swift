import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// Invariant 4, checked by the kernel: a lowerdir that reaches outside its root
/// through a symlink is refused, and nothing is mounted for its instance.
final class PathSafetyTests: PrivilegedTestCase {
  func testLowerdirEscapingThroughSymlinkRefusesTheInstance() throws {
    try host.seed.build()
    try FileManager.default.createSymbolicLink(atPath: host.root + "/overlays/evil", withDestinationPath: "/etc")
    try host.seed.write(
      host.seed.instancesDirectory + "/6.yaml",
      """
      mounts:
        - type: overlay
          target: runtime/6/merged
          lowerdirs: [overlays/evil, installation]
          upperdir: runtime/6/upper
          workdir: runtime/6/work

      """)
    let result = try reconcile("--format", "json")
    XCTAssertEqual(result.status, 1)
    let errors = try XCTUnwrap(try result.json()["errors"] as? [[String: Any]])
    XCTAssertTrue(
      errors.contains {
        $0["instance"] as? String == "6" && ($0["message"] as? String ?? "").contains("overlays/evil")
      }, "\(errors)")
    XCTAssertEqual(host.stackDepth("runtime/6/merged"), 0)
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: host.root + "/runtime/6"), "nothing created for a refused instance")
    XCTAssertEqual(host.stackDepth("runtime/2/merged"), 1, "valid instances still reconciled")
    let validate = try reconcile("validate")
    XCTAssertEqual(validate.status, 1)
    XCTAssertTrue(validate.stdout.contains("overlays/evil"), validate.stdout)
  }

  func testGroupWritableManifestIsRefusedAndChangesNothing() throws {
    try host.seed.build()
    chmod(host.seed.instancesDirectory + "/1.yaml", 0o664)
    let result = try reconcile("--format", "json")
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 0)
    let errors = try XCTUnwrap(try result.json()["errors"] as? [[String: Any]])
    XCTAssertTrue(errors.contains { ($0["file"] as? String ?? "").hasSuffix("1.yaml") }, "\(errors)")
  }
}
