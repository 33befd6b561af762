import Foundation
import XCTest
import _ReconcileTestSupport

/// status.json and the Prometheus textfile after a run.
final class StatusReportingTests: PrivilegedTestCase {
  func testRunWritesStatusAndMetricsAtomicallyAndCarriesLastSuccess() throws {
    try host.seed.build()
    let metrics = host.base + "/reconcile.prom"

    let first = try reconcile("--metrics-file", metrics)

    XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
    let statusPath = host.root + "/.reconcile/status.json"
    let status = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statusPath))) as? [String: Any])
    XCTAssertEqual(status["outcome"] as? String, "converged")
    XCTAssertEqual(status["exit_code"] as? Int, 0)
    XCTAssertEqual((status["steps_done"] as? [String: Int])?["mount"], 4)
    let success = try XCTUnwrap(status["last_success_unix_time"] as? Double)
    let text = try String(contentsOfFile: metrics, encoding: .utf8)
    XCTAssertTrue(text.contains("reconcile_last_run_steps_applied{action=\"mount\"} 4"), text)
    XCTAssertTrue(text.contains("reconcile_last_run_exit_code 0"), text)
    XCTAssertTrue(text.contains("# TYPE reconcile_drift_pending gauge"), text)
    XCTAssertFalse(FileManager.default.fileExists(atPath: metrics + ".tmp"))

    // A failing run keeps the last success time and says what went wrong.
    chmod(host.seed.instancesDirectory + "/1.yaml", 0o666)
    XCTAssertEqual(try reconcile("--metrics-file", metrics).status, 1)
    let failed = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: statusPath))) as? [String: Any])
    XCTAssertEqual(failed["outcome"] as? String, "error")
    XCTAssertEqual(failed["instances_refused"] as? Int, 1)
    XCTAssertEqual(failed["last_success_unix_time"] as? Double, success)
    XCTAssertTrue(try String(contentsOfFile: metrics, encoding: .utf8).contains("reconcile_instances_refused 1"))
  }

  func testDryRunWritesNoStatus() throws {
    try host.seed.build()
    _ = try reconcile("--dry-run")
    XCTAssertFalse(FileManager.default.fileExists(atPath: host.root + "/.reconcile"))
  }
}
