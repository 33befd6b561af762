import FoundationEssentials

/// `<state>/status.json`, written after every run that may change things: what the
/// runs did, for people (`cat`) and for monitoring (the metrics file says the same).
///
/// Health is the timer's: the top-level fields and `last_success_unix_time` describe
/// the last full run and move only with full runs. A unit hook's `--instance` run and
/// `reconcile migrate` record themselves under `last_instance_run` and
/// `last_migrate_run`, so a hook that keeps succeeding cannot hide a timer that keeps
/// failing (invariant 15).
public struct RunStatus: Hashable, Codable, Sendable {
  /// The last full run, at the top level of the file; nil until one has run.
  public var fullRun: RunSummary?
  /// When a full run last exited 0.
  public var lastSuccessUnixTime: Double?
  /// The last `--instance` run (a unit's start or stop hook).
  public var lastInstanceRun: RunSummary?
  /// The last `reconcile migrate`.
  public var lastMigrateRun: RunSummary?
  /// `reconcile watch`'s counters (WatchStatistics), kept by every later run.
  public var watch: WatchStatistics?

  /// Which kind of run a report comes from.
  public enum RunKind: Hashable, Sendable {
    /// No `--instance`: every instance and orphan removal (the timer's run).
    case full
    /// `--instance NAME...`.
    case instances
    /// `reconcile migrate`.
    case migrate
  }

  enum CodingKeys: String, CodingKey {
    case lastSuccessUnixTime = "last_success_unix_time"
    case lastInstanceRun = "last_instance_run", lastMigrateRun = "last_migrate_run"
    case watch
  }

  public init(
    fullRun: RunSummary? = nil, lastSuccessUnixTime: Double? = nil,
    lastInstanceRun: RunSummary? = nil, lastMigrateRun: RunSummary? = nil
  ) {
    self.fullRun = fullRun
    self.lastSuccessUnixTime = lastSuccessUnixTime
    self.lastInstanceRun = lastInstanceRun
    self.lastMigrateRun = lastMigrateRun
  }

  /// `previous` with the run `summary` describes recorded in its own place.
  public init(recording summary: RunSummary, kind: RunKind, previous: RunStatus?) {
    self = previous ?? RunStatus()
    switch kind {
    case .full:
      fullRun = summary
      if summary.exitCode == ExitStatus.converged.rawValue { lastSuccessUnixTime = summary.unixTime }
    case .instances: lastInstanceRun = summary
    case .migrate: lastMigrateRun = summary
    }
  }

  public init(from decoder: Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    // The full run's keys sit at the top level; a file written before any full run
    // has none of them.
    fullRun = try? RunSummary(from: decoder)
    lastSuccessUnixTime = try container.decodeIfPresent(Double.self, forKey: .lastSuccessUnixTime)
    lastInstanceRun = try container.decodeIfPresent(RunSummary.self, forKey: .lastInstanceRun)
    lastMigrateRun = try container.decodeIfPresent(RunSummary.self, forKey: .lastMigrateRun)
    watch = try? container.decodeIfPresent(WatchStatistics.self, forKey: .watch)
  }

  public func encode(to encoder: Encoder) throws {
    try fullRun?.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encodeIfPresent(lastSuccessUnixTime, forKey: .lastSuccessUnixTime)
    try container.encodeIfPresent(lastInstanceRun, forKey: .lastInstanceRun)
    try container.encodeIfPresent(lastMigrateRun, forKey: .lastMigrateRun)
    try container.encodeIfPresent(watch, forKey: .watch)
  }

  /// The Prometheus textfile-collector form (node_exporter `--collector.textfile`).
  /// `last_run_*` and `last_success_*` are the full runs'; hook and migrate runs have
  /// their own timestamp and exit-code gauges.
  public var prometheusText: String {
    var lines: [String] = []
    func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
      lines.append("# HELP reconcile_\(name) \(help)")
      lines.append("# TYPE reconcile_\(name) gauge")
      for sample in samples { lines.append("reconcile_\(name)\(sample.labels) \(format(sample.value))") }
    }
    if let run = fullRun {
      metric("last_run_timestamp_seconds", "When the last full run finished.", [("", run.unixTime)])
    }
    if let lastSuccessUnixTime {
      metric("last_success_timestamp_seconds", "When a full run last converged (exit 0).", [("", lastSuccessUnixTime)])
    }
    if let run = fullRun {
      metric("last_run_exit_code", "Exit code of the last full run (0, 1, 75).", [("", Double(run.exitCode))])
      metric("last_run_duration_seconds", "How long the last full run took.", [("", run.durationSeconds)])
      let actions = ["mkdir", "mount", "unmount", "rmdir", "chown", "record"]
      metric(
        "last_run_steps_applied", "Steps the last full run applied, by action.",
        actions.map { ("{action=\"\($0)\"}", Double(run.stepsDone[$0] ?? 0)) })
      metric("last_run_steps_failed", "Steps that failed in the last full run.", [("", Double(run.stepsFailed))])
      metric(
        "last_run_orphans_removed", "Orphan and released staging mounts the last full run removed.",
        [("", Double(run.orphansRemoved))])
      metric("instances_refused", "Instances refused in the last full run.", [("", Double(run.instancesRefused))])
      metric(
        "drift_pending",
        "Steps still needed after the last full run (busy mounts waiting for their instance's restart among them).",
        [("", Double(run.driftPending))])
    }
    for (kind, run) in [("instance", lastInstanceRun), ("migrate", lastMigrateRun)] {
      guard let run else { continue }
      metric("last_\(kind)_run_timestamp_seconds", "When the last \(kind) run finished.", [("", run.unixTime)])
      metric("last_\(kind)_run_exit_code", "Exit code of the last \(kind) run.", [("", Double(run.exitCode))])
    }
    lines += watch?.prometheusLines ?? []
    return lines.joined(separator: "\n") + "\n"
  }

  private func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
  }
}

/// What one run did, as status.json records it.
public struct RunSummary: Hashable, Codable, Sendable {
  public var time: String
  public var unixTime: Double
  /// `converged`, `error`, `deferred` (a migration waits for a lease, or a busy
  /// drifted mount for its instance's restart) or `lock-busy`.
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

  enum CodingKeys: String, CodingKey {
    case time, outcome, command, errors
    case unixTime = "unix_time", exitCode = "exit_code", durationSeconds = "duration_seconds"
    case stepsDone = "steps_done", stepsFailed = "steps_failed", stepsSkipped = "steps_skipped"
    case orphansRemoved = "orphans_removed", instancesRefused = "instances_refused"
    case driftPending = "drift_pending"
  }

  /// The summary of `report`, finished at `now`.
  public init(report: RunReport, command: String, now: Date, duration: Double) {
    time = now.formatted(.iso8601)
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
    orphansRemoved =
      report.outcomes.filter {
        guard $0.status == .done, case .unmount(let step) = $0.step else { return false }
        return step.reason == .orphan || step.reason == .leaseReleased
      }.count
    instancesRefused = report.refusedInstances.count
    driftPending = report.pendingAfterApply.count
    errors = report.problems.map(\.description)
  }
}
