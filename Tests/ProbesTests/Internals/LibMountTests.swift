import Foundation
import LinuxKernel
import SystemPackage
import Testing

@testable import Probes

/// The C interop the parser stands on: LinuxKernel's whole-file read and byte scan,
/// and the libmount table.
@Suite struct LibMountTests {
  @Test(arguments: [1, 7, 4096])
  func wholeFileReadGrowsItsBufferUntilEndOfFile(initialCapacity: Int) throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("reconcile-read-\(getpid())-\(initialCapacity)").path
    let contents = (0..<3_000).map { "line \($0)\n" }.joined()
    try contents.write(toFile: path, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let read = try Files.withContents(of: FilePath(path), initialCapacity: initialCapacity) { Array($0) }
    #expect(read == Array(contents.utf8))
  }

  @Test func procfsFileReportingSizeZeroIsReadWhole() throws {
    // /proc files report size 0; /proc/self/mountinfo is at least one line.
    let read = try Files.withContents(of: "/proc/self/mountinfo", initialCapacity: 16) {
      String(decoding: $0, as: UTF8.self)
    }
    #expect(read.hasSuffix("\n"))
    #expect(read.split(separator: "\n").allSatisfy { $0.contains(" - ") })
  }

  @Test func firstIndexFindsBytesOnlyInsideTheRange() {
    var text = "ab\ncd\n"
    text.withUTF8 { bytes in
      #expect(ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: bytes, from: 0, to: bytes.count) == 2)
      #expect(ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: bytes, from: 3, to: bytes.count) == 5)
      #expect(ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: bytes, from: 3, to: 5) == nil)
      #expect(ByteScan.firstIndex(of: UInt8(ascii: "a"), in: bytes, from: 4, to: 4) == nil)
    }
  }

  @Test func libmountReportsRejectedLinesAndKeepsTheRest() {
    var text =
      "1 0 0:1 / / rw - tmpfs a rw\n\n2 1 0:1 / /x rw tmpfs a rw\n3 1 0:1 / /y rw - tmpfs b ro\n"
    let (rejected, ids) = text.withUTF8 { bytes in
      let table = LibMountTable(parsing: bytes, sourceName: "test")
      var ids: [Int] = []
      table.consumeEntries { ids.append($0.id) }
      #expect(table.count == 0)  // consumed
      return (table.rejectedLines, ids)
    }
    #expect(rejected == [3])  // blank line 2 is counted, not rejected
    #expect(ids == [1, 3])
  }
}
