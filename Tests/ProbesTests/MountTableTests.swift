import Testing

@testable import Probes

/// `MountTable` lookups over parsed fixtures and hand-built entries.
@Suite struct MountTableTests {
  private static func entry(_ id: Int, parent: Int, target: String) -> MountEntry {
    MountEntry(
      id: id, parentID: parent, major: 0, minor: UInt32(id), root: "/", target: target,
      fsType: "tmpfs", source: "t\(id)", mountOptions: ["rw"], superOptions: ["rw"],
      propagation: Propagation(), overlay: nil)
  }

  @Test func stackFollowsTheParentChainNotTheFileOrder() throws {
    let table = try TestFixtures.parse("stack-reordered").table
    // File order is 67, 65, 66 (top, bottom, middle).
    #expect(table.entries.filter { $0.target == "/mnt/fx/stack" }.map(\.id) == [67, 65, 66])
    #expect(table.stack(at: "/mnt/fx/stack").map(\.id) == [65, 66, 67])
    #expect(table.top(at: "/mnt/fx/stack")?.source == "top layer")
    #expect(table.stack(at: "/mnt/fx").map(\.id) == [64])
    #expect(table.stack(at: "/mnt/fx/nothing").isEmpty)
    #expect(table.top(at: "/mnt/fx/nothing") == nil)
  }

  @Test func entryByIDAndChildren() throws {
    let table = try TestFixtures.parse("stack-reordered").table
    #expect(table.entry(id: 68)?.target == "/mnt/fx/ro")
    #expect(table.entry(id: 999) == nil)
    #expect(table.children(of: 64).map(\.id) == [68, 65])
    #expect(table.children(of: 65).map(\.id) == [66])
    #expect(table.children(of: 67).isEmpty)
  }

  @Test func targetsAreDistinctInFirstAppearanceOrder() throws {
    let table = try TestFixtures.parse("stack-reordered").table
    #expect(table.targets == ["/mnt", "/mnt/fx", "/mnt/fx/stack", "/mnt/fx/ro"])
  }

  @Test func entriesAtOrBelowMatchWholePathComponentsOnly() {
    let table = MountTable(entries: [
      Self.entry(1, parent: 0, target: "/"),
      Self.entry(2, parent: 1, target: "/srv/a"),
      Self.entry(3, parent: 2, target: "/srv/a/b"),
      Self.entry(4, parent: 1, target: "/srv/ab"),
    ])
    #expect(table.entries(atOrBelow: "/srv/a").map(\.id) == [2, 3])
    #expect(table.entries(atOrBelow: "/srv/a/").map(\.id) == [3])
    #expect(table.entries(atOrBelow: "/srv").map(\.id) == [2, 3, 4])
  }

  /// `é` as one scalar and as `e` with a combining accent are two directories to the
  /// kernel; `String` takes them as equal, and a table keyed by it saw a stack of two.
  @Test func canonicallyEquivalentMountPointsAreTwoMountPoints() {
    let composed = "/srv/caf\u{e9}"
    let decomposed = "/srv/cafe\u{301}"
    let table = MountTable(entries: [
      Self.entry(1, parent: 0, target: "/"),
      Self.entry(2, parent: 1, target: composed),
      Self.entry(3, parent: 1, target: decomposed),
      Self.entry(4, parent: 3, target: decomposed + "/x"),
    ])
    #expect(table.stack(at: composed).map(\.id) == [2])
    #expect(table.stack(at: decomposed).map(\.id) == [3])
    #expect(table.targets.count == 4)
    #expect(table.entries(atOrBelow: composed).map(\.id) == [2])
    #expect(table.mount(containing: decomposed + "/x/file")?.id == 4)
  }

  @Test func mountContainingAPathIsTheTopOfTheDeepestMountPoint() throws {
    let table = try TestFixtures.parse("stack-reordered").table
    #expect(table.mount(containing: "/mnt/fx/stack/deep/file")?.id == 67)
    #expect(table.mount(containing: "/mnt/fx/stack")?.id == 67)
    #expect(table.mount(containing: "/mnt/fx/other")?.id == 64)
    #expect(table.mount(containing: "/mnt")?.id == 63)
    // The fixture has no `/` entry.
    #expect(table.mount(containing: "/etc/passwd") == nil)
  }

  @Test func duplicateIDsKeepTheFirstEntryButListBoth() {
    let table = MountTable(entries: [
      Self.entry(7, parent: 1, target: "/first"), Self.entry(7, parent: 1, target: "/second"),
    ])
    #expect(table.entry(id: 7)?.target == "/first")
    #expect(table.entries.count == 2)
  }

  @Test func aStackThatIsNotOneChainKeepsEveryLayer() {
    // Two mounts on one target whose parents are both outside the stack (a saved,
    // odd table): neither covers the other, so file order decides.
    let table = MountTable(entries: [
      Self.entry(10, parent: 1, target: "/x"), Self.entry(11, parent: 2, target: "/x"),
      Self.entry(12, parent: 10, target: "/x"),
    ])
    #expect(table.stack(at: "/x").map(\.id) == [10, 12, 11])
  }

  @Test func equalTextsGiveEqualTables() throws {
    let a = try TestFixtures.parse("overlays").table
    let b = try TestFixtures.parse("overlays").table
    let c = try TestFixtures.parse("escapes").table
    #expect(a == b)
    #expect(a != c)
  }
}
