import Foundation
import Reconciler

/// Diagnostics on stderr, one line each; stdout carries only the report.
enum Log {
  static func error(_ message: String) { write("error: \(message)") }

  static func info(_ message: String) { write(message) }

  /// One line per failed or skipped step while a run goes on.
  static func stepProgress(_ outcome: StepOutcome) {
    guard outcome.status == .failed else { return }
    write("error: \(outcome.step.action) \(outcome.step.target): \(outcome.detail ?? "failed")")
  }

  private static func write(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
  }
}
