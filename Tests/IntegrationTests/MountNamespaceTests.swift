import Foundation
import XCTest
import _ReconcileTestSupport

/// `--mount-namespace`: started inside another (a unit's private) namespace, the
/// tool acts on the one it is pointed at.
final class MountNamespaceTests: PrivilegedTestCase {
  func testRunFromInsideAnotherNamespaceMountsInTheTargetNamespace() throws {
    try host.seed.build()
    let ours = "/proc/\(getpid())/ns/mnt"
    let result = try CommandResult.run(
      executable: "/usr/bin/unshare",
      arguments: [
        "--mount", "--propagation", "private", "--", ScratchHost.reconcileBinary,
        "--mount-namespace", ours, "--instance", "1", "--config", host.config,
      ])
    XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
    XCTAssertEqual(host.stackDepth("runtime/1/merged"), 1, "the mount is in our namespace, not the throwaway one")
  }
}
