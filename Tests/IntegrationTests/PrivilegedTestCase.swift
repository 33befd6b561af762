import LinuxKernel
import Foundation
import Reconciler
import XCTest
import _ReconcileTestSupport

/// Base of every test that mounts for real. It runs only as root inside a private
/// mount namespace (as `make test` arranges), so the host's mount table is never
/// touched. Otherwise it skips and says why; under CI=true as root a skip fails.
class PrivilegedTestCase: XCTestCase {
  var host: ScratchHost!

  override func setUpWithError() throws {
    try super.setUpWithError()
    var reason: String?
    if getuid() != 0 {
      reason = "needs root (it mounts tmpfs, overlay and idmapped binds)"
    } else if !inTestNamespace {
      reason = "must run inside the private mount namespace `make test` makes (unshare -m --propagation private)"
    }
    if let reason {
      if ProcessInfo.processInfo.environment["CI"] == "true" && getuid() == 0 {
        XCTFail("privileged test cannot run under CI: \(reason)")
        throw XCTSkip("failed above")
      }
      throw XCTSkip("Skipped: \(reason)")
    }
    host = try ScratchHost()
  }

  /// `scripts/run-tests.sh` records the namespace it made with unshare; a test may
  /// mount only when it is still in exactly that one. (/proc/1/ns/mnt cannot serve as
  /// the reference: sandboxes often forbid reading it, even to root.)
  private var inTestNamespace: Bool {
    guard let made = ProcessInfo.processInfo.environment["RECONCILE_TEST_MOUNT_NAMESPACE"] else { return false }
    return made == Namespaces.currentMountNamespace
  }

  override func tearDown() {
    host?.tearDown()
    super.tearDown()
  }

  /// Runs the built binary against this host's config.
  func reconcile(_ arguments: String...) throws -> CommandResult {
    try ScratchHost.run(arguments + ["--config", host.config])
  }
}
