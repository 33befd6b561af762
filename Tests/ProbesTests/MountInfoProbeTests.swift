import Foundation
import SystemPackage
import Testing

@testable import Probes

/// `MountInfoProbe` on files, on errors, and on the running kernel's own table.
@Suite struct MountInfoProbeTests {
  @Test func readsAFileLikeTheParserReadsItsText() throws {
    let url = try #require(
      Bundle.module.url(
        forResource: "overlays", withExtension: "mountinfo", subdirectory: "Fixtures"))
    let table = try MountInfoProbe(path: url.path).read()
    #expect(table == (try TestFixtures.parse("overlays").table))
  }

  @Test func readsATableLargerThanTheFirstReadBufferAndKeepsLinesPaired() throws {
    // 6,000 overlay lines (over 1 MiB). Every 500th line is broken and every 700th is a
    // comment, so pairing must hold across many skips.
    var text = ""
    var broken: [Int] = []
    for number in 1...6_000 {
      if number % 700 == 0 {
        text += "# comment \(number)\n"
      } else if number % 500 == 0 {
        text += "\(number) 1 0:1 / /broken rw shared:1\n"
        broken.append(number)
      } else {
        text +=
          "\(number) 1 0:\(number) / /var/lib/left4me/runtime/\(number)/merged rw,relatime"
          + " shared:\(number) - overlay ovl rw,lowerdir+=/var/lib/left4me/overlays/\(number)\\0542,"
          + "lowerdir+=/var/lib/left4me/installation,upperdir=/var/lib/left4me/runtime/\(number)/upper,"
          + "workdir=/var/lib/left4me/runtime/\(number)/work,uuid=on\n"
      }
    }
    #expect(text.utf8.count > 1 << 20)
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("reconcile-large-\(getpid()).mountinfo").path
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let result = try MountInfoProbe(path: path).readResult()
    #expect(result.malformedLines.map(\.number) == broken)
    let entries = result.table.entries
    #expect(entries.count == 6_000 - broken.count - 6_000 / 700)
    let mismatched = entries.filter { entry in
      entry.propagation.sharedGroup != entry.id
        || entry.overlay?.lowerdirs.first != "/var/lib/left4me/overlays/\(entry.id),2"
        || entry.overlay?.upperdir != "/var/lib/left4me/runtime/\(entry.id)/upper"
    }
    #expect(mismatched.isEmpty, "first mismatch: \(String(describing: mismatched.first))")
  }

  @Test func missingFileIsUnreadableWithErrno() {
    let probe = MountInfoProbe(path: "/nonexistent/reconcile/mountinfo")
    #expect(
      throws: ProbeError.mountInfoUnreadable(
        path: "/nonexistent/reconcile/mountinfo", errno: .noSuchFileOrDirectory)
    ) {
      try probe.read()
    }
  }

  @Test func directoryIsUnreadableWithEISDIR() {
    #expect(
      throws: ProbeError.mountInfoUnreadable(path: "/", errno: .isDirectory)
    ) {
      try MountInfoProbe(path: "/").read()
    }
  }

  @Test func malformedLinesMakeReadThrowButReadResultReportsThem() throws {
    let url = try #require(
      Bundle.module.url(
        forResource: "malformed", withExtension: "mountinfo", subdirectory: "Fixtures"))
    let probe = MountInfoProbe(path: url.path)
    do {
      _ = try probe.read()
      Issue.record("read() accepted a table with malformed lines")
    } catch {
      guard case .mountInfoMalformed(let path, let lines) = error else {
        Issue.record("unexpected error \(error)")
        return
      }
      #expect(path == FilePath(url.path))
      #expect(lines.map(\.number) == [1, 6, 9, 10])
      #expect(
        error.description.contains("4 malformed line(s); first at line 1: not a mountinfo line"))
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
