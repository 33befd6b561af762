import Foundation

/// `<state>/status.json`, written after every run that may change things: what the
/// last run did, for people (`cat`) and for monitoring (the metrics file says the same).
public struct RunStatus: Hashable, Codable, Sendable {
  public var time: String
  public var unixTime: Double
  /// `converged`, `error`, `deferred` (a migration waits for a lease) or `lock-busy`.
  public var outcome: String
  public var exitCode: Int32
  public var command: String
  public var durationSeconds: Double
  /// Steps that finished, by action (`unmount`, `mount`, `mkdir`, `rmdir`, `chown`, `record`).
  public var stepsDone: [String: Int]
  public var stepsFailed: Int
  public var stepsSkipped: Int
  public var orphansRemoved: Int
  public var instancesRefused: Int
  /// Steps the verifying observation still found necessary.
  public var driftPending: Int
  public var errors: [String]
  /// When a run last exited 0, carried over from the previous status.
  public var lastSuccessUnixTime: Double?

  enum CodingKeys: String, CodingKey {
    case time, outcome, command, errors
    case unixTime = "unix_time", exitCode = "exit_code", durationSeconds = "duration_seconds"
    case stepsDone = "steps_done", stepsFailed = "steps_failed", stepsSkipped = "steps_skipped"
    case orphansRemoved = "orphans_removed", instancesRefused = "instances_refused"
    case driftPending = "drift_pending", lastSuccessUnixTime = "last_success_unix_time"
  }

  /// The status of `report`, finished at `now`.
  public init(report: RunReport, command: String, now: Date, duration: Double, previous: RunStatus?) {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    time = formatter.string(from: now)
    unixTime = now.timeIntervalSince1970
    exitCode = report.exitStatus.rawValue
    switch report.exitStatus {
    case .converged: outcome = "converged"
    case .temporary: outcome = report.outcomes.contains(where: \.isDeferred) ? "deferred" : "lock-busy"
    default: outcome = "error"
    }
    self.command = command
    durationSeconds = duration
    var done: [String: Int] = [:]
    for outcome in report.outcomes where outcome.status == .done { done[outcome.step.action, default: 0] += 1 }
    stepsDone = done
    stepsFailed = report.outcomes.filter { $0.status == .failed }.count
    stepsSkipped = report.outcomes.filter { $0.status == .skipped }.count
    orphansRemoved = report.outcomes.filter {
      guard $0.status == .done, case .unmount(let step) = $0.step else { return false }
      return step.reason == .orphan || step.reason == .leaseReleased
    }.count
    instancesRefused = report.refusedInstances.count
    driftPending = report.pendingAfterApply.count
    errors = report.problems.map(\.description)
    lastSuccessUnixTime = report.exitStatus == .converged ? unixTime : previous?.lastSuccessUnixTime
  }

  /// The Prometheus textfile-collector form (node_exporter `--collector.textfile`).
  public var prometheusText: String {
    var lines: [String] = []
    func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
      lines.append("# HELP reconcile_\(name) \(help)")
      lines.append("# TYPE reconcile_\(name) gauge")
      for sample in samples { lines.append("reconcile_\(name)\(sample.labels) \(format(sample.value))") }
    }
    metric("last_run_timestamp_seconds", "When the last run finished.", [("", unixTime)])
    if let lastSuccessUnixTime {
      metric("last_success_timestamp_seconds", "When a run last converged (exit 0).", [("", lastSuccessUnixTime)])
    }
    metric("last_run_exit_code", "Exit code of the last run (0, 1, 75).", [("", Double(exitCode))])
    metric("last_run_duration_seconds", "How long the last run took.", [("", durationSeconds)])
    let actions = ["mkdir", "mount", "unmount", "rmdir", "chown", "record"]
    metric("last_run_steps_applied", "Steps the last run applied, by action.",
           actions.map { ("{action=\"\($0)\"}", Double(stepsDone[$0] ?? 0)) })
    metric("last_run_steps_failed", "Steps that failed in the last run.", [("", Double(stepsFailed))])
    metric("last_run_orphans_removed", "Orphan and released staging mounts the last run removed.", [("", Double(orphansRemoved))])
    metric("instances_refused", "Instances refused in the last run.", [("", Double(instancesRefused))])
    metric("drift_pending", "Steps still needed after the last run.", [("", Double(driftPending))])
    return lines.joined(separator: "\n") + "\n"
  }

  private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }
}
