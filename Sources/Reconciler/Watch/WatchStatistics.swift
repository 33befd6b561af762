import FoundationEssentials

/// What `reconcile watch` adds to status.json (under `watch`) and to the metrics file:
/// events seen, runs triggered, and how long the last burst took from its first event
/// to a converged host. Kept apart from `RunStatus`'s own fields so new gauges there
/// and here do not collide.
public struct WatchStatistics: Hashable, Codable, Sendable {
  /// When this watcher started (Unix time).
  public var startedUnixTime: Double
  /// Events read from every source (mount table, fanotify, inotify, timer).
  public var eventsSeen: Int
  /// Full runs this watcher made, the first one at start included.
  public var runsTriggered: Int
  /// Why the last run ran (`start`, `mount-table`, `manifests`, `lease`, `periodic`, `confirm`).
  public var lastTrigger: String
  /// When the first event of the burst the current run answers arrived (Unix time).
  public var burstStartedUnixTime: Double?
  /// Seconds from the first event of the last answered burst to its converged run.
  public var lastEventToConvergedSeconds: Double?

  enum CodingKeys: String, CodingKey {
    case startedUnixTime = "started_unix_time", eventsSeen = "events_seen", runsTriggered = "runs_triggered"
    case lastTrigger = "last_trigger", burstStartedUnixTime = "burst_started_unix_time"
    case lastEventToConvergedSeconds = "last_event_to_converged_seconds"
  }

  public init(startedUnixTime: Double) {
    self.startedUnixTime = startedUnixTime
    eventsSeen = 0
    runsTriggered = 0
    lastTrigger = "start"
  }

  /// These statistics once a run of exit status `exitCode` finished at `now`: a
  /// converged run closes its burst.
  public func finishing(exitCode: Int32, now: Double) -> WatchStatistics {
    var result = self
    if exitCode == ExitStatus.converged.rawValue, let started = burstStartedUnixTime {
      result.lastEventToConvergedSeconds = max(0, now - started)
    }
    return result
  }

  /// The Prometheus lines (`reconcile_watch_*` gauges).
  public var prometheusLines: [String] {
    var lines: [String] = []
    func metric(_ name: String, _ help: String, _ value: Double) {
      lines += [
        "# HELP reconcile_watch_\(name) \(help)", "# TYPE reconcile_watch_\(name) gauge",
        "reconcile_watch_\(name) \(value == value.rounded() ? String(Int64(value)) : String(value))",
      ]
    }
    metric("started_timestamp_seconds", "When the watcher started.", startedUnixTime)
    metric("events_seen", "Events the watcher read since it started.", Double(eventsSeen))
    metric("runs_triggered", "Full runs the watcher made since it started.", Double(runsTriggered))
    if let lastEventToConvergedSeconds {
      metric(
        "last_event_to_converged_seconds", "Seconds from a burst's first event to its converged run.",
        lastEventToConvergedSeconds)
    }
    return lines
  }
}
