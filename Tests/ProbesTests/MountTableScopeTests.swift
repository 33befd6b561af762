import Testing

@testable import Probes

/// A scoped parse: lines outside the scope are dropped after a byte comparison, every
/// line is still checked, and what is kept is exactly what a whole parse gives.
@Suite struct MountTableScopeTests {
  static let table = """
    1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
    20 1 0:30 / /srv rw shared:2 - tmpfs tmpfs rw
    21 20 0:31 / /srv/root rw - tmpfs tmpfs rw
    22 21 0:32 / /srv/root/managed/a rw - tmpfs tmpfs rw
    23 22 0:33 / /srv/root/managed/a rw - tmpfs tmpfs rw
    24 1 0:34 / /srv/root/managed/b/deep rw - tmpfs tmpfs rw
    25 20 0:35 / /srv/elsewhere rw - tmpfs tmpfs rw
    26 25 0:36 / /srv/elsewhere/x rw - tmpfs tmpfs rw
    27 21 0:37 / /srv/root/managedx rw - tmpfs tmpfs rw
    28 21 0:38 /src /srv/root/lower rw - tmpfs tmpfs rw
    29 28 0:39 / /srv/root/lower/inner rw - tmpfs tmpfs rw
    30 20 0:40 / /srv/with\\040space rw - tmpfs tmpfs rw

    """

  static func parse(_ text: String, _ scope: MountTableScope) -> MountInfoParseResult {
    var text = text
    return text.withUTF8 { MountInfoParser.parse(bytes: $0, sourceName: "t", scope: scope) }
  }

  @Test func keepsStacksDescendantsAndCoveringAncestorsButNotSiblings() {
    let scope = MountTableScope(subtrees: ["/srv/root/managed"], points: ["/srv/root/lower/file"])
    let result = Self.parse(Self.table, scope)
    #expect(result.isComplete)
    // The stack on a, the mount below b whose parent is /, every ancestor of the
    // subtree and of the point; an escaped target is kept unread. Not elsewhere,
    // not managedx (a sibling sharing a prefix), not below the point.
    #expect(result.table.entries.map(\.id) == [1, 20, 21, 22, 23, 24, 28, 30])
    #expect(result.table.stack(at: "/srv/root/managed/a").map(\.id) == [22, 23])
    let whole = MountInfoParser.parse(Self.table)
    for entry in result.table.entries { #expect(whole.table.entry(id: entry.id) == entry) }
  }

  @Test func aMalformedLineOutsideTheScopeIsStillReportedWithItsLineNumber() {
    var lines = Self.table.split(separator: "\n").map(String.init)
    lines.insert("25 20 0:35 / /srv/elsewhere", at: 7)
    lines.append("not mountinfo at all")
    let text = lines.joined(separator: "\n") + "\n"
    let scope = MountTableScope(subtrees: ["/srv/root/managed"])
    let scoped = Self.parse(text, scope)
    let whole = MountInfoParser.parse(text)
    #expect(scoped.malformedLines == whole.malformedLines)
    #expect(scoped.malformedLines.map(\.number) == [8, 14])
  }

  @Test func theKernelFormIsStrictAndAnyOtherLineGoesToLibmount() {
    func target(_ line: String) -> String? {
      var text = line
      return text.withUTF8 { bytes in
        var reader = MountInfoLineReader(bytes)
        return reader.next()?.kernelFormedTarget.map { String(decoding: $0, as: UTF8.self) }
      }
    }
    #expect(target("1 0 8:1 / / rw shared:1 master:2 - ext4 /dev/sda1 rw") == "/")
    #expect(target("1 0 8:1 /r /t rw - ext4 src rw,x=1") == "/t")
    #expect(target("1 0 8:1 / /t rw - ext4  rw") == nil)  // empty source
    #expect(target("1 0 8:1 / /t rw - ext4 src") == nil)  // no superblock options
    #expect(target("1 0 8:1 / /t rw - ext4 src rw extra") == nil)  // unescaped space
    #expect(target("1  0 8:1 / /t rw - ext4 src rw") == nil)
    #expect(target(" 1 0 8:1 / /t rw - ext4 src rw") == nil)
    #expect(target("1\t0 8:1 / /t rw - ext4 src rw") == nil)
    #expect(target("-1 0 8:1 / /t rw - ext4 src rw") == nil)
    #expect(target("1234567890 0 8:1 / /t rw - ext4 src rw") == nil)
    #expect(target("1 0 8-1 / /t rw - ext4 src rw") == nil)
    #expect(target("1 0 8:1 / /t rw shared:1 ext4 src rw") == nil)  // no separator
  }

  @Test func scopesDropWhatOtherPathsCoverAndFallBackToTheWholeTable() {
    let scope = MountTableScope(
      subtrees: ["/a/b/", "/a/b/c", "/a/bc"], points: ["/a", "/a/b/d", "/x/y/z", "/x/y"])
    #expect(scope.subtrees == ["/a/b", "/a/bc"])
    #expect(scope.points == ["/x/y/z"])
    #expect(MountTableScope(subtrees: ["/"]).isWhole)
    #expect(MountTableScope(subtrees: ["relative"]).isWhole)
    #expect(!scope.isWhole)
  }
}

/// The scoped parse on every file of the peer corpus (see `PeerCorpusTests`).
@Suite(
  .enabled(
    if: TestFixtures.sharedAvailable,
    "../shared/fixtures/mountinfo is absent; the package builds and tests without it"))
struct MountTableScopePeerCorpusTests {
  @Test(arguments: TestFixtures.sharedFiles)
  func aScopedParseKeepsEveryMalformedLineAndOnlyWholeParseEntries(file: String) throws {
    let text = try TestFixtures.sharedText(file)
    let whole = MountInfoParser.parse(text, sourceName: file)
    for scope in [
      MountTableScope(subtrees: ["/nowhere/at/all"]), MountTableScope(subtrees: ["/sys"], points: ["/var/lib/x"]),
    ] {
      var copy = text
      let scoped = copy.withUTF8 { MountInfoParser.parse(bytes: $0, sourceName: file, scope: scope) }
      #expect(scoped.malformedLines == whole.malformedLines)
      #expect(scoped.failureErrno == whole.failureErrno)
      var rest = whole.table.entries[...]
      for entry in scoped.table.entries {
        guard let at = rest.firstIndex(of: entry) else {
          Issue.record("\(file): scoped entry \(entry.id) is not the whole parse's")
          break
        }
        rest = rest[(at + 1)...]
      }
      let root = whole.table.entries.filter { $0.target == "/" }
      #expect(root.allSatisfy { scoped.table.entries.contains($0) })
    }
  }
}
