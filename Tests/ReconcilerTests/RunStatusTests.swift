import Foundation
import Testing

@testable import Reconciler

/// Invariant 15: health moves with the timer's full runs only.
@Suite struct RunStatusTests {
  private func summary(_ exit: Reconciler.ExitStatus, at time: Double, command: String = "reconcile") -> RunSummary {
    let report = RunReport(dryRun: false, converged: exit == .converged, outcomes: [], problems: [], exitStatus: exit)
    return RunSummary(report: report, command: command, now: Date(timeIntervalSince1970: time), duration: 0.01)
  }

  private func roundTrip(_ status: RunStatus) throws -> RunStatus {
    try JSONDecoder().decode(RunStatus.self, from: JSONEncoder().encode(status))
  }

  @Test func hookRunsNeverRefreshTheFullRunsLastSuccess() throws {
    var status = RunStatus(recording: summary(.converged, at: 1_000), kind: .full, previous: nil)
    status = try roundTrip(RunStatus(recording: summary(.error, at: 2_000), kind: .full, previous: status))
    status = try roundTrip(
      RunStatus(
        recording: summary(.converged, at: 3_000, command: "reconcile --instance 2"), kind: .instances, previous: status
      ))
    status = try roundTrip(RunStatus(recording: summary(.error, at: 4_000), kind: .full, previous: status))

    #expect(status.lastSuccessUnixTime == 1_000)
    #expect(status.fullRun?.unixTime == 4_000)
    #expect(status.fullRun?.exitCode == 1)
    #expect(status.lastInstanceRun?.unixTime == 3_000)
    #expect(status.lastInstanceRun?.command == "reconcile --instance 2")
    let metrics = status.prometheusText
    #expect(metrics.contains("reconcile_last_success_timestamp_seconds 1000\n"))
    #expect(metrics.contains("reconcile_last_run_timestamp_seconds 4000\n"))
    #expect(metrics.contains("reconcile_last_run_exit_code 1\n"))
    #expect(metrics.contains("reconcile_last_instance_run_timestamp_seconds 3000\n"))
    #expect(metrics.contains("reconcile_last_instance_run_exit_code 0\n"))
  }

  @Test func migrateRunsRecordThemselvesApart() throws {
    let status = try roundTrip(
      RunStatus(
        recording: summary(.converged, at: 5_000, command: "reconcile migrate"), kind: .migrate, previous: nil))
    #expect(status.fullRun == nil)
    #expect(status.lastSuccessUnixTime == nil)
    #expect(status.lastMigrateRun?.unixTime == 5_000)
    #expect(!status.prometheusText.contains("reconcile_last_success_timestamp_seconds"))
    #expect(status.prometheusText.contains("reconcile_last_migrate_run_exit_code 0\n"))
  }

  @Test func fullRunKeysStayAtTheTopLevelOfTheFile() throws {
    let status = RunStatus(recording: summary(.converged, at: 1_000), kind: .full, previous: nil)
    let object = try #require(
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(status)) as? [String: Any])
    #expect(object["outcome"] as? String == "converged")
    #expect(object["exit_code"] as? Int == 0)
    #expect(object["last_success_unix_time"] as? Double == 1_000)
    #expect(object["last_instance_run"] == nil)
  }

  @Test func busyDriftReadsAsDeferred() {
    let step = Step.unmount(
      UnmountStep(
        target: "/srv/m", mountID: 10, parentID: 2, fsType: "overlay", root: "/srv", instance: "2", reason: .differs,
        whenBusy: .waitForRestart))
    let report = RunReport(
      dryRun: false, converged: false,
      outcomes: [StepOutcome(step: step, status: .skipped, detail: "in use", waitsForRestart: true)],
      problems: [], pendingAfterApply: [step], exitStatus: .temporary)
    let summary = RunSummary(report: report, command: "reconcile", now: Date(), duration: 0)
    #expect(summary.outcome == "deferred")
    #expect(summary.driftPending == 1)
  }
}
