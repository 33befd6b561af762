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
    } else if !Namespaces.isPrivateFromInit {
      reason = "must run inside a private mount namespace: use `make test` (unshare -m --propagation private)"
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

  override func tearDown() {
    host?.tearDown()
    super.tearDown()
  }

  /// Runs the built binary against this host's config.
  func reconcile(_ arguments: String...) throws -> CommandResult {
    try ScratchHost.run(arguments + ["--config", host.config])
  }
}
