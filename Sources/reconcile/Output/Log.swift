import LinuxKernel
import Reconciler

/// Diagnostics on stderr, one line each; stdout carries only the report. When stderr
/// is the journal, each line starts with its syslog priority (`<3>` error, `<6>`
/// info), which journald turns into the entry's priority.
enum Log {
  static func error(_ message: String) { write(priority: 3, "error: \(message)") }

  static func info(_ message: String) { write(priority: 6, message) }

  /// One line per failed step while a run goes on.
  static func stepProgress(_ outcome: StepOutcome) {
    guard outcome.status == .failed else { return }
    error("\(outcome.step.action) \(outcome.step.target): \(outcome.detail ?? "failed")")
  }

  /// Whether stderr is the stream systemd connected to the journal: JOURNAL_STREAM
  /// holds its "device:inode" (sd_journal_stream_fd(3)), and a redirect would differ.
  static let stderrIsJournal: Bool = {
    guard let stream = CurrentProcess.environment("JOURNAL_STREAM") else { return false }
    return stream == StandardStreams.errorStreamIdentity
  }()

  private static func write(priority: Int, _ line: String) {
    let prefix = stderrIsJournal ? "<\(priority)>" : ""
    StandardStreams.writeError(prefix + line + "\n")
  }
}
