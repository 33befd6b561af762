import Reconciler

/// The report for people: the steps, then the errors, then one line of verdict.
enum TextReport {
  static func render(_ report: RunReport) -> String {
    var out = ""
    if report.outcomes.isEmpty {
      out += report.dryRun ? "Nothing to do.\n" : "Nothing to do: no step planned.\n"
    } else if report.dryRun {
      out += "Plan (\(count(report.outcomes.count, "step"))), dry run:\n"
      for outcome in report.outcomes {
        out += "  \(outcome.step)\n"
        if let detail = outcome.detail { out += "           \(detail)\n" }
      }
    } else {
      out += "Applied \(count(report.outcomes.count, "step")):\n"
      for outcome in report.outcomes {
        out += "  " + pad(outcome.status.rawValue, 8) + " \(outcome.step)\n"
        if let detail = outcome.detail { out += "           \(detail)\n" }
      }
    }
    if report.orphanRemovalSuspended {
      out += "Orphan removal suspended: a manifest could not be parsed.\n"
    }
    if !report.problems.isEmpty {
      out += "Errors (\(report.problems.count)):\n"
      for problem in report.problems { out += "  - \(problem)\n" }
    }
    out += verdict(report) + "\n"
    return out
  }

  static func verdict(_ report: RunReport) -> String {
    switch report.exitStatus {
    case .converged: return report.dryRun ? "Converged (exit 0)." : "Applied and verified: converged (exit 0)."
    case .changesPending: return "Changes pending (exit 2)."
    case .temporary:
      // Say what waits: an operator reading "a build holds its lease" looks for a build.
      var waiting: [String] = []
      if report.outcomes.contains(where: { $0.isDeferred && $0.waitsForRestart }) {
        waiting.append("a drifted mount is in use and waits for its instance's next start")
      }
      if report.outcomes.contains(where: { $0.isDeferred && !$0.waitsForRestart }) {
        waiting.append("a migration waits for a build that holds its lease")
      }
      if waiting.isEmpty { return "Try again later (exit 75)." }
      return "Deferred: " + waiting.joined(separator: "; ") + "; everything else is applied (exit 75)."
    case .usage: return "Usage error (exit 64)."
    case .error:
      return report.converged ? "Converged, with errors (exit 1)." : "Not converged (exit 1)."
    }
  }

  static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

  static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
