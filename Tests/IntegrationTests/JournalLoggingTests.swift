import Foundation
import XCTest
import _ReconcileTestSupport

/// Under systemd (JOURNAL_STREAM naming stderr), log lines carry syslog priorities.
final class JournalLoggingTests: PrivilegedTestCase {
  private func runWithStderr(journalStream: (Pipe) -> String?) throws -> String {
    try host.seed.build()
    chmod(host.seed.instancesDirectory + "/1.yaml", 0o666)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ScratchHost.reconcileBinary)
    process.arguments = ["--dry-run", "--config", host.config]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    var environment = ProcessInfo.processInfo.environment
    environment["JOURNAL_STREAM"] = journalStream(err)
    process.environment = environment
    try process.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  func testErrorsCarryPriorityThreeWhenStderrIsTheJournal() throws {
    let stderr = try runWithStderr { pipe in
      var info = stat()
      fstat(pipe.fileHandleForWriting.fileDescriptor, &info)
      return "\(info.st_dev):\(info.st_ino)"
    }
    let lines = stderr.split(separator: "\n")
    XCTAssertFalse(lines.isEmpty)
    XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("<3>error: ") }, stderr)
  }

  func testNoPrefixWhenJournalStreamNamesSomethingElse() throws {
    let stderr = try runWithStderr { _ in "1:1" }
    XCTAssertFalse(stderr.contains("<3>"), stderr)
  }
}
