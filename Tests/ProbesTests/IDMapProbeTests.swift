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
}
