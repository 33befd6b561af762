import Foundation
import Glibc
import SystemPackage
import Testing

@testable import Reconciler

/// The ownership walk without privileges: a temporary tree owned by the test's own
/// user, "re-owned" to that same user (chown to oneself is allowed), so the walk's
/// logic runs for real without root or a mount namespace.
@Suite struct OwnershipWalkerUnitTests {
  /// A throwaway directory under /tmp, removed by `remove()`.
  struct Scratch {
    let path: String

    init() throws {
      var template = Array("/tmp/reconcile-walk.XXXXXX".utf8CString)
      guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
      path = String(cString: made)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
  }

  let me = OwnershipChange(fromUID: getuid(), fromGID: getgid(), toUID: getuid(), toGID: getgid())

  @Test func printablePathEscapesNewlinesBackslashesAndBytesThatAreNotUTF8() {
    let error = OwnershipWalkError(
      call: "fchownat", path: Array("/t/a\nb\\".utf8) + [0xff, 0xc3, 0xa9, 0x01], errno: .notPermitted)
    #expect(error.printablePath == "/t/a\\nb\\\\\\xff\\xc3\\xa9\\x01")
    #expect(error.description == "fchownat /t/a\\nb\\\\\\xff\\xc3\\xa9\\x01: Operation not permitted (EPERM)")
  }

  @Test func changeAndCountsRoundTripThroughJSON() throws {
    let change = OwnershipChange(fromUID: 981, fromGID: 981, toUID: 980, toGID: 980)
    let counts = OwnershipCounts(changed: 3, skippedForeign: 2, skippedOtherMounts: 1, setIDBitsCleared: 1)
    #expect(try JSONDecoder().decode(OwnershipChange.self, from: JSONEncoder().encode(change)) == change)
    #expect(try JSONDecoder().decode(OwnershipCounts.self, from: JSONEncoder().encode(counts)) == counts)
    #expect(change.matches(uid: 981, gid: 981))
    #expect(!change.matches(uid: 981, gid: 0))
    #expect(!change.matches(uid: 0, gid: 981))
  }

  /// With only two fds held, every ancestor is re-opened through `..` on the way
  /// back; the counts must equal those of the default window and of a dry run.
  @Test func smallFDWindowReopensAncestorsAndCountsTheSame() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    var expected = 1
    var level = scratch.path
    for depth in 0..<40 {
      level += "/d"
      try FileManager.default.createDirectory(atPath: level, withIntermediateDirectories: false)
      for name in ["f1", "f2"] { touch(level + "/" + name) }
      expected += 3
      if depth % 5 == 0 {
        try FileManager.default.createDirectory(atPath: level + "/s", withIntermediateDirectories: false)
        touch(level + "/s/f")
        expected += 2
      }
    }
    var narrow = OwnershipWalker(change: me)
    narrow.heldDirectoryLimit = 2

    let counts = try narrow.walk(scratch.path, beneath: "/").get()

    #expect(counts == OwnershipCounts(changed: expected))
    #expect(try OwnershipWalker(change: me).walk(scratch.path, beneath: "/").get() == counts)
    #expect(try OwnershipWalker(change: me, dryRun: true).walk(scratch.path, beneath: "/").get() == counts)
  }

  /// A directory moved away mid-walk is noticed when its old parent is re-opened
  /// through `..`: the walk stops there instead of carrying on somewhere else.
  @Test func ancestorMovedMidWalkStopsTheWalkAtThatDirectory() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let deepest = scratch.path + "/a/b/c/d/e"
    try FileManager.default.createDirectory(atPath: deepest, withIntermediateDirectories: true)
    for index in 0..<1100 { touch(deepest + "/f\(index)") }
    let moved = Flag()
    var walker = OwnershipWalker(
      change: me,
      progress: { _ in
        guard !moved.value else { return }
        moved.value = rename(scratch.path + "/a/b/c", scratch.path + "/c-moved") == 0
      })
    walker.heldDirectoryLimit = 2
    walker.progressInterval = 0

    let result = walker.walk(scratch.path, beneath: "/")

    #expect(moved.value)
    guard case .failure(let error) = result else {
      Issue.record("walked on after its path changed")
      return
    }
    #expect(error.call == "openat2 ..")
    #expect(error.path == Array((scratch.path + "/a/b").utf8))
    #expect(error.errno == .staleNFSFileHandle)
  }

  @Test func progressIsReportedEvery1024EntriesAtMost() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    for index in 0..<4999 { touch(scratch.path + "/f\(index)") }
    let seen = Seen()
    var walker = OwnershipWalker(change: me, dryRun: true, progress: { seen.values.append($0) })
    walker.progressInterval = 0

    let counts = try walker.walk(scratch.path, beneath: "/").get()

    #expect(counts.changed == 5000)
    #expect(seen.values == [1024, 2048, 3072, 4096])
    let started = ContinuousClock.now
    #expect(
      try OwnershipWalker(change: me, progress: { seen.values.append($0) }).walk(scratch.path, beneath: "/").get()
        == counts)
    let quarters = Int((ContinuousClock.now - started) / .milliseconds(250))
    // The default pace waits a quarter second between reports (none at all on a fast
    // machine; under emulation the walk itself can take longer).
    #expect(seen.values.count - 4 <= quarters, "the default pace waits a quarter second")
  }

  /// Split at the top, below it, or not at all (one subdirectory per level): any
  /// number of threads counts what one thread counts, with a small fd window too.
  @Test(arguments: [[8], [1, 6], [1, 1, 1]])
  func threadsCountWhatOneThreadCounts(widths: [Int]) throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    var level = [scratch.path]
    var entries = 1
    for width in widths {
      level = try level.flatMap { parent in
        try (0..<width).map { index in
          let directory = parent + "/d\(index)"
          try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
          for file in 0..<3 { touch(directory + "/f\(file)") }
          entries += 4
          return directory
        }
      }
    }
    var one = OwnershipWalker(change: me)
    one.threads = 1
    let expected = try one.walk(scratch.path, beneath: "/").get()
    #expect(expected == OwnershipCounts(changed: entries))

    for threads in [2, 4, 16] {
      var walker = OwnershipWalker(change: me)
      walker.threads = threads
      walker.heldDirectoryLimit = 2
      #expect(try walker.walk(scratch.path, beneath: "/").get() == expected, "\(threads) threads")
      walker.dryRun = true
      #expect(try walker.walk(scratch.path, beneath: "/").get() == expected, "\(threads) threads, dry run")
    }
  }

  @Test func topThatIsNotADirectoryIsAnError() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    touch(scratch.path + "/file")

    let result = OwnershipWalker(change: me).walk(scratch.path + "/file", beneath: scratch.path)

    guard case .failure(let error) = result else {
      Issue.record("walked a file")
      return
    }
    #expect(error.errno == .notDirectory)
    #expect(error.path == Array((scratch.path + "/file").utf8))
  }
}

/// Creates an empty file.
private func touch(_ path: String) {
  #expect(FileManager.default.createFile(atPath: path, contents: nil), "create \(path)")
}

/// Mutable state for a progress closure (the walk calls it on the walking thread).
private final class Flag: @unchecked Sendable { var value = false }
private final class Seen: @unchecked Sendable { var values: [Int] = [] }
