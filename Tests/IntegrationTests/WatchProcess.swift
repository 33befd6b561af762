import Foundation
import XCTest
import _ReconcileTestSupport

/// A `reconcile watch` process under test. Tests synchronise on its output: every
/// run logs one line (`run N (trigger): exit E, K step(s) applied, T ms`), read as it
/// comes from a pipe, never by sleeping.
final class WatchProcess {
  /// One run, as the watcher logged it.
  struct Run: Equatable {
    var trigger: String
    var exit: Int
    var steps: Int
  }

  let process = Process()
  private let errors = Pipe()
  private var buffered = ""
  /// Every line read so far.
  private(set) var lines: [String] = []

  init(config: String, pollOnly: Bool, arguments: [String] = [], environment: [String: String] = [:]) throws {
    process.executableURL = URL(fileURLWithPath: ScratchHost.reconcileBinary)
    process.arguments = ["watch", "--config", config] + (pollOnly ? ["--poll-only"] : []) + arguments
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "NOTIFY_SOCKET")
    env.removeValue(forKey: "WATCHDOG_USEC")
    env.removeValue(forKey: "JOURNAL_STREAM")
    process.environment = env.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// The next line, waiting for it (nil at end of output or after `seconds`, a safety
  /// limit against a hung watcher, not a synchronisation).
  func nextLine(within seconds: Double = 60) -> String? {
    while true {
      if let newline = buffered.firstIndex(of: "\n") {
        let line = String(buffered[..<newline])
        buffered.removeSubrange(...newline)
        lines.append(line)
        return line
      }
      var descriptor = pollfd(fd: errors.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, Int32(seconds * 1000)) == 1 else { return nil }
      let data = errors.fileHandleForReading.availableData
      if data.isEmpty { return nil }
      buffered += String(decoding: data, as: UTF8.self)
    }
  }

  /// The next run line, skipping others.
  func nextRun() -> Run? {
    while let line = nextLine() {
      guard let run = Self.parse(line) else { continue }
      return run
    }
    return nil
  }

  /// Reads runs until one applied nothing and exited 0: the host is converged and,
  /// with nothing else happening, the watcher is idle. Returns the runs read.
  @discardableResult
  func untilQuiet(file: StaticString = #filePath, line: UInt = #line) -> [Run] {
    var runs: [Run] = []
    while let run = nextRun() {
      runs.append(run)
      if run.exit == 0 && run.steps == 0 { return runs }
    }
    XCTFail("the watcher never converged; its output:\n" + lines.joined(separator: "\n"), file: file, line: line)
    return runs
  }

  /// SIGTERM, then its exit status; the output is read to the end.
  func terminate() -> Int32 {
    process.terminate()
    while nextLine() != nil {}
    process.waitUntilExit()
    return process.terminationStatus
  }

  static func parse(_ line: String) -> Run? {
    // run 3 (mount-table): exit 0, 2 step(s) applied, 5 ms
    guard line.hasPrefix("run "), let open = line.firstIndex(of: "("), let close = line.firstIndex(of: ")") else {
      return nil
    }
    let trigger = String(line[line.index(after: open)..<close])
    let fields = line[close...].split(separator: " ")
    guard fields.count >= 4, let exit = Int(fields[2].dropLast()), let steps = Int(fields[3]) else { return nil }
    return Run(trigger: trigger, exit: exit, steps: steps)
  }
}
