import SystemPackage
import Testing

@testable import Probes

/// An idmapped mount needs `mount_setattr` in a private namespace that this test
/// process is not in (and util-linux 2.38 cannot make one from a script); the maps of
/// a real idmapped bind are checked by the integration tests that make one.
@Suite struct IDMapProbeTests {
  @Test func mountWithoutIdmapHasNoMaps() {
    #expect(IDMapProbe().idmap(at: "/") == nil)
    let (major, minor) = TestHost.kernelVersion
    if major > 6 || (major == 6 && minor >= 15) {
      // The kernel reports maps, and says there are none here.
      #expect(throws: Errno.notSupportedOnSocket) { try IDMapProbe().read(at: "/").get() }
    }
  }

  @Test func missingPathHasNoMaps() throws {
    try TestHost.withTemporaryDirectory { dir throws in
      #expect(IDMapProbe().idmap(at: dir + "/missing") == nil)
      #expect(throws: Errno.noSuchFileOrDirectory) {
        try IDMapProbe().read(at: dir + "/missing").get()
      }
    }
  }

  static let map = IDMapRange(onDisk: 980, seen: 981, count: 1)

  @Test func mapsAgreeOnlyWithTheSameRange() {
    let observed = ObservedIDMap(uidMap: ["980 981 1"], gidMap: ["980 981 1"])
    #expect(observed.agrees(uids: Self.map, gids: Self.map))
    #expect(!observed.agrees(uids: IDMapRange(onDisk: 980, seen: 981, count: 2), gids: Self.map))
    #expect(!observed.agrees(uids: Self.map, gids: IDMapRange(onDisk: 0, seen: 981, count: 1)))
  }

  @Test func samplesAgreeWhereTheirIDsMapAsTheRangeSays() {
    // A left4me-owned entry seen as the sandbox, and a root-owned root seen as nobody.
    let samples = [
      IDSample(onDiskUID: 0, onDiskGID: 0, seenUID: 65534, seenGID: 65534),
      IDSample(onDiskUID: 980, onDiskGID: 980, seenUID: 981, seenGID: 981),
    ]
    let observed = ObservedIDMap(uidMap: [], gidMap: [], samples: samples)
    #expect(observed.agrees(uids: Self.map, gids: Self.map))
    // The same on-disk id sent elsewhere, or root mapped too: both show.
    #expect(!observed.agrees(uids: IDMapRange(onDisk: 980, seen: 982, count: 1), gids: Self.map))
    #expect(!observed.agrees(uids: IDMapRange(onDisk: 0, seen: 981, count: 1000), gids: Self.map))
    // A kernel whose overflow id is not the default.
    var other = observed
    other.overflowUID = 99
    #expect(!other.agrees(uids: Self.map, gids: Self.map))
  }

  @Test(arguments: [(UInt32(979), UInt32(7)), (980, 981), (989, 990), (990, 7), (0, 7)])
  func rangeMapsOnlyItsIDs(id: UInt32, seen: UInt32) {
    #expect(IDMapRange(onDisk: 980, seen: 981, count: 10).seen(for: id, overflow: 7) == seen)
  }
}
