import FoundationEssentials
import Reconciler

/// The DESIGN 3.4 document: `dry_run`, `converged`, `steps` (each step's fields plus
/// `status`), `errors`. Keys may be added; these stay.
enum JSONReport {
  private struct Document: Encodable {
    var dry_run: Bool
    var converged: Bool
    var exit_code: Int32
    var orphan_removal_suspended: Bool
    var steps: [StepLine]
    var pending: [Step]
    var errors: [Problem]
  }

  private struct StepLine: Encodable {
    var outcome: StepOutcome

    private enum Keys: String, CodingKey {
      case status, detail, changed
      case skippedForeign = "skipped_foreign", skippedOtherMounts = "skipped_other_mounts"
      case setIDBitsCleared = "setid_bits_cleared"
    }

    func encode(to encoder: Encoder) throws {
      try outcome.step.encode(to: encoder)
      var container = encoder.container(keyedBy: Keys.self)
      try container.encode(outcome.status, forKey: .status)
      try container.encodeIfPresent(outcome.detail, forKey: .detail)
      if let counts = outcome.counts {
        try container.encode(counts.changed, forKey: .changed)
        try container.encode(counts.skippedForeign, forKey: .skippedForeign)
        try container.encode(counts.skippedOtherMounts, forKey: .skippedOtherMounts)
        try container.encode(counts.setIDBitsCleared, forKey: .setIDBitsCleared)
      }
    }
  }

  static func render(_ report: RunReport) throws -> String {
    let document = Document(
      dry_run: report.dryRun, converged: report.converged, exit_code: report.exitStatus.rawValue,
      orphan_removal_suspended: report.orphanRemovalSuspended,
      steps: report.outcomes.map(StepLine.init), pending: report.pendingAfterApply,
      errors: report.problems)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(document), as: UTF8.self)
  }
}
