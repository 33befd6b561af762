import Foundation
import StateModel

/// Writes `<state>/status.json` and, when asked, the Prometheus textfile after a run
/// that may have changed things. Runs that could not take the lock write nothing:
/// the run holding it will.
enum StatusReporting {
  /// Records `report`; a file that cannot be written becomes a problem of the run.
  static func record(
    _ report: inout RunReport, kind: RunStatus.RunKind, options: RunOptions, config: SiteConfig,
    started: Date
  ) {
    let path = config.stateDirectory + "/status.json"
    let previous = (try? Data(contentsOf: URL(fileURLWithPath: path)))
      .flatMap { try? JSONDecoder().decode(RunStatus.self, from: $0) }
    let now = Date()
    let summary = RunSummary(
      report: report, command: options.commandLine, now: now, duration: now.timeIntervalSince(started))
    let status = RunStatus(recording: summary, kind: kind, previous: previous)
    var problems: [Problem] = []
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let data = try? encoder.encode(status),
      case .failure(let error) = AtomicFile.write([UInt8](data) + [10], to: path)
    {
      problems.append(Problem(message: "status file: \(error)"))
    }
    if let metrics = options.metricsFile,
      case .failure(let error) = AtomicFile.write(Array(status.prometheusText.utf8), to: metrics)
    {
      problems.append(Problem(message: "metrics file: \(error)"))
    }
    if !problems.isEmpty {
      report.problems += problems
      report.exitStatus = .error
    }
  }
}
