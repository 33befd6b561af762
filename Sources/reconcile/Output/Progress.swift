import FoundationEssentials
import LinuxKernel

/// A one-line progress meter on stderr for long ownership walks, only when stderr is
/// a terminal: logs and the journal get the final counts instead.
enum Progress {
  private static let start = Date()
  nonisolated(unsafe) private static var shown = false

  /// A reporter for `RunOptions.migrationProgress`, or nil when stderr is not a terminal.
  static func reporter() -> (@Sendable (String, Int) -> Void)? {
    guard StandardStreams.errorIsTerminal else { return nil }
    return { path, entries in
      let seconds = max(Date().timeIntervalSince(start), 0.001)
      let rate = Int(Double(entries) / seconds)
      let line = "\rchown \(path): \(entries) entries, \(rate)/s   "
      StandardStreams.writeError(line)
      shown = true
    }
  }

  /// Ends the meter's line.
  static func finish() {
    if shown { StandardStreams.writeError("\n") }
  }
}
