import Foundation
import Testing

@testable import Probes

/// `MountInfoProbe` on files, on errors, and on the running kernel's own table.
@Suite struct MountInfoProbeTests {
  @Test func readsAFileLikeTheParserReadsItsText() throws {
    let url = try #require(
      Bundle.module.url(forResource: "overlays", withExtension: "mountinfo", subdirectory: "Fixtures"))
    let table = try MountInfoProbe(path: url.path).read()
    #expect(table == (try TestFixtures.parse("overlays").table))
  }

  @Test func missingFileIsUnreadableWithErrno() {
    let probe = MountInfoProbe(path: "/nonexistent/reconcile/mountinfo")
    #expect(throws: ProbeError.mountInfoUnreadable(
      path: "/nonexistent/reconcile/mountinfo", errno: ENOENT, message: "No such file or directory"))
    {
      try probe.read()
    }
  }

  @Test func directoryIsUnreadableWithEISDIR() {
    #expect(throws: ProbeError.mountInfoUnreadable(path: "/", errno: EISDIR, message: "Is a directory")) {
      try MountInfoProbe(path: "/").read()
    }
  }

  @Test func malformedLinesMakeReadThrowButReadResultReportsThem() throws {
    let url = try #require(
      Bundle.module.url(forResource: "malformed", withExtension: "mountinfo", subdirectory: "Fixtures"))
    let probe = MountInfoProbe(path: url.path)
    do {
      _ = try probe.read()
      Issue.record("read() accepted a table with malformed lines")
    } catch {
      guard case .mountInfoMalformed(let path, let lines) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(path == url.path)
      #expect(lines.map(\.number) == [1, 6, 9, 10])
      #expect(error.description.contains("4 malformed line(s); first at line 1: not a mountinfo line"))
    }
    let result = try probe.readResult()
    #expect(result.table.entries.count == 3)
  }

  @Test func liveTableMatchesAPlainReadOfTheSameFile() throws {
    // Another process may mount meanwhile: retry until a plain read before and after
    // the probe agree, then compare the probe with that text.
    for _ in 0..<20 {
      let before = try Self.plainRead("/proc/self/mountinfo")
      let table = try MountInfoProbe().read()
      let after = try Self.plainRead("/proc/self/mountinfo")
      guard before == after else { continue }
      let lines = before.split(separator: "\n")
      #expect(!lines.isEmpty)
      #expect(table.entries.count == lines.count)
      #expect(table.entries.map(\.id) == lines.map { Int($0.prefix { $0 != " " }) })
      #expect(table.entries.map(\.parentID) == lines.map { Int($0.split(separator: " ")[1]) })
      #expect(table.mount(containing: "/proc/self") != nil)
      return
    }
    Issue.record("the mount table kept changing")
  }

  private static func plainRead(_ path: String) throws -> String {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
  }
}
