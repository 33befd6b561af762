import FoundationEssentials
import LinuxKernel
import Probes
import StateModel
import SystemPackage

/// Writes `<state>/status.json` and, when asked, the Prometheus textfile after a run
/// that may have changed things. Runs that could not take the lock write nothing:
/// the run holding it will.
enum StatusReporting {
  /// Records `report`; a file that cannot be written becomes a problem of the run.
  static func record(
    _ report: inout RunReport, kind: RunStatus.RunKind, options: RunOptions, state: StateDirectory,
    started: Date
  ) {
    let previous = (try? state.read("status.json"))?
      .flatMap { try? JSONDecoder().decode(RunStatus.self, from: Data($0)) }
    let now = Date()
    let summary = RunSummary(
      report: report, command: options.commandLine, now: now, duration: now.timeIntervalSince(started))
    var status = RunStatus(recording: summary, kind: kind, previous: previous)
    if let watch = options.watch {
      status.watch = watch.finishing(exitCode: summary.exitCode, now: now.timeIntervalSince1970)
    }
    var problems: [Problem] = []
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      try state.write("status.json", [UInt8](try encoder.encode(status)) + [10])
    } catch {
      problems.append(Problem(message: "status file: \(error)"))
    }
    if let metrics = options.metricsFile {
      // The operator's path (node_exporter reads it any time): written whole, atomically.
      let file = FilePath(metrics)
      do {
        try DirectoryHandle.open(file.removingLastComponent())
          .writeAtomically(
            file.lastComponent?.string ?? metrics,
            Array((status.prometheusText + (report.hostGauges?.prometheusText ?? "")).utf8))
      } catch {
        problems.append(Problem(message: "metrics file: \(error)"))
      }
    }
    if !problems.isEmpty {
      report.problems += problems
      report.exitStatus = .error
    }
  }
}
