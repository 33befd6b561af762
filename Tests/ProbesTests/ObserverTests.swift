import Foundation
import StateModel
import Testing

@testable import Probes

@Suite struct ObserverTests {
  private let here = SourceLocation(file: "2.yaml", line: 1, column: 1)

  private func config(root: String, leases: [LeaseRule] = [], migrations: [MigrationSpec] = []) -> SiteConfig {
    SiteConfig(
      file: root + "/site.yaml", root: root, instancesDirectory: root + "/instances.d",
      stateDirectory: root + "/.reconcile",
      lowerdirRoots: [root + "/overlays", root + "/installation"], managed: [root + "/runtime"],
      refuseUpperXattrs: ["user.fuseoverlayfs."], leases: leases, migrations: migrations)
  }

  private func instance(_ name: String, enabled: Bool = true, _ specs: [MountSpec]) -> InstanceManifest {
    InstanceManifest(
      name: name, file: name + ".yaml", enabled: enabled,
      mounts: specs.map { DesiredMount(spec: $0, location: here) })
  }

  private func entry(_ id: Int, _ target: String, options: [String] = ["rw"]) -> MountEntry {
    MountEntry(
      id: id, parentID: 1, major: 0, minor: 40, root: "/", target: target, fsType: "tmpfs",
      source: "tmpfs", mountOptions: options, superOptions: [], propagation: Propagation(), overlay: nil)
  }

  /// Names and sizes of everything under `path`, to show the Observer changed nothing.
  private func snapshot(_ path: String) -> [String: Int] {
    var result: [String: Int] = [:]
    let walker = FileManager.default.enumerator(atPath: path)
    while let name = walker?.nextObject() as? String {
      var info = stat()
      lstat(path + "/" + name, &info)
      result[name] = Int(info.st_mode) ^ Int(info.st_size) << 16
    }
    return result
  }

  @Test func liveObservationReportsEscapesTaintLeasesAndIdentities() throws {
    try TestHost.withTemporaryDirectory { root throws in
      // Arrange: one good and one escaping lowerdir, a tainted and a clean upperdir,
      // two leased staging mounts of which one lock is held.
      for dir in ["overlays/9", "installation", "runtime/2/upper", "runtime/3/upper", "tmp", "elsewhere"] {
        try TestHost.makeDirectory(root + "/" + dir)
      }
      try TestHost.makeSymlink(root + "/overlays/evil", pointingTo: "/etc")
      try #require(TestHost.setXattr(root + "/runtime/2/upper", "user.fuseoverlayfs.opaque", "y") == 0)
      try TestHost.makeFile(root + "/tmp/sandbox-idmap-9.lock")
      let holder = try TestHost.holdLock(root + "/tmp/sandbox-idmap-9.lock")
      defer { TestHost.stop(holder) }
      try #require(TestHost.eventually { LeaseProbe().isHeld(lockPath: root + "/tmp/sandbox-idmap-9.lock") })

      let lease = LeaseRule(pattern: root + "/tmp/sandbox-idmap-*", lockTemplate: "{mount}.lock")
      let migration = MigrationSpec(
        id: "m", path: root + "/overlays", fromUser: .name("root"), fromGroup: nil,
        toUser: .name("no-such-user-reconcile-test"), toGroup: .name("root"), location: here)
      let two = instance(
        "2",
        [
          .overlay(
            OverlaySpec(
              target: root + "/runtime/2/merged",
              lowerdirs: [root + "/overlays/9", root + "/overlays/evil", root + "/installation"],
              upperdir: root + "/runtime/2/upper", workdir: root + "/runtime/2/work")),
          .bind(BindSpec(source: root + "/elsewhere", target: root + "/runtime/2/build")),
        ])
      let three = instance(
        "3",
        [
          .overlay(
            OverlaySpec(
              target: root + "/runtime/3/merged", lowerdirs: [root + "/overlays/9"],
              upperdir: root + "/runtime/3/upper", workdir: root + "/runtime/3/work"))
        ])
      let desired = DesiredState(
        config: config(root: root, leases: [lease], migrations: [migration]), instances: [two, three],
        refused: [], issues: [], hasUnparseableManifest: false)
      let mounts = MountTable(entries: [
        entry(50, root + "/tmp/sandbox-idmap-9"), entry(51, root + "/tmp/sandbox-idmap-4"),
        entry(52, root + "/runtime/3/merged"),
      ])
      let before = snapshot(root)

      // Act
      let observed = Observer().observe(desired: desired, mounts: mounts)

      // Assert
      #expect(observed.filesystemProbed)
      #expect(observed.features == KernelFeatureProbe.probedOnce)
      #expect(observed.mounts == mounts)
      #expect(
        observed.leases == [
          root + "/tmp/sandbox-idmap-9": LeaseObservation(lockPath: root + "/tmp/sandbox-idmap-9.lock", held: true),
          root + "/tmp/sandbox-idmap-4": LeaseObservation(lockPath: root + "/tmp/sandbox-idmap-4.lock", held: false),
        ])
      #expect(observed.taintedUpperdirs == [root + "/runtime/2/upper": ["user.fuseoverlayfs.opaque"]])
      #expect(Set(observed.pathEscapes.keys) == [root + "/overlays/evil", root + "/elsewhere"])
      #expect(observed.pathEscapes[root + "/overlays/evil"]?.contains("passes through a symlink") == true)
      #expect(observed.pathEscapes[root + "/elsewhere"]?.contains("not below any lowerdir root") == true)
      #expect(observed.identities == IdentityTable(users: ["root": 0], groups: ["root": 0], primaryGroups: ["root": 0]))
      #expect(observed.idmaps.isEmpty)
      #expect(snapshot(root) == before)
    }
  }

  @Test func disabledInstancesUpperdirsAndLowerdirsAreNotProbed() throws {
    try TestHost.withTemporaryDirectory { root throws in
      try TestHost.makeDirectory(root + "/upper")
      try #require(TestHost.setXattr(root + "/upper", "user.fuseoverlayfs.x", "1") == 0)
      let off = instance(
        "4", enabled: false,
        [
          .overlay(
            OverlaySpec(
              target: root + "/runtime/4/merged", lowerdirs: [root + "/overlays/missing"],
              upperdir: root + "/upper", workdir: root + "/work"))
        ])
      let desired = DesiredState(
        config: config(root: root), instances: [off], refused: [], issues: [], hasUnparseableManifest: false)
      let observed = Observer().observe(desired: desired, mounts: MountTable(entries: []))
      #expect(observed.taintedUpperdirs.isEmpty)
      #expect(observed.pathEscapes.isEmpty)
    }
  }

  @Test func idmappedMountIsOnlyQueriedWhereTheTableSaysIdmapped() throws {
    try TestHost.withTemporaryDirectory { root throws in
      try TestHost.makeDirectory(root + "/overlays/9")
      try TestHost.makeDirectory(root + "/build")
      let map = IDMapping(onDisk: .name("root"), seenThroughMount: .number(1000), count: 1)
      let bind = instance(
        "2",
        [
          .bind(
            BindSpec(source: root + "/overlays/9", target: root + "/build", idmap: IDMapSpec(users: map, groups: map)))
        ])
      let desired = DesiredState(
        config: config(root: root), instances: [bind], refused: [], issues: [], hasUnparseableManifest: false)
      // The table claims an idmapped mount that the host does not have: statmount
      // then reports no maps, and none are invented.
      let table = MountTable(entries: [entry(60, root + "/build", options: ["rw", "idmapped"])])
      var withMaps = KernelFeatureProbe.probedOnce
      withMaps.statmountIDMaps = true
      let observed = Observer(features: withMaps).observe(desired: desired, mounts: table)
      #expect(observed.idmaps.isEmpty)
      // Before 6.15 the owners are compared instead: they show ids mapped to
      // themselves, which is not the map asked for.
      var withoutMaps = withMaps
      withoutMaps.statmountIDMaps = false
      let sampled = try #require(
        Observer(features: withoutMaps).observe(desired: desired, mounts: table).idmaps[root + "/build"])
      #expect(sampled.uidMap.isEmpty && !sampled.samples.isEmpty)
      #expect(sampled.samples.allSatisfy { $0.seenUID == $0.onDiskUID && $0.seenGID == $0.onDiskGID })
      let wanted = IDMapRange(onDisk: 0, seen: 1000, count: 1)
      #expect(!sampled.agrees(uids: wanted, gids: wanted))
      #expect(observed.identities.users == ["root": 0])
      #expect(observed.identities.groups == ["root": 0])
      #expect(observed.pathEscapes.isEmpty)
    }
  }

  @Test func savedTableIsObservedWithoutTouchingTheFilesystem() throws {
    try TestHost.withTemporaryDirectory { root throws in
      try TestHost.makeDirectory(root + "/upper")
      try #require(TestHost.setXattr(root + "/upper", "user.fuseoverlayfs.x", "1") == 0)
      let lease = LeaseRule(pattern: root + "/tmp/*", lockTemplate: "{mount}.lock")
      let desired = DesiredState(
        config: config(root: root, leases: [lease]),
        instances: [
          instance(
            "2",
            [
              .overlay(
                OverlaySpec(
                  target: root + "/m", lowerdirs: [root + "/nowhere"], upperdir: root + "/upper", workdir: root + "/w"))
            ])
        ],
        refused: [], issues: [], hasUnparseableManifest: false)
      let mounts = MountTable(entries: [entry(70, root + "/tmp/x")])
      let saved = Observer(source: .saved(path: root + "/captured.mountinfo"))
      #expect(saved.source != .live)
      #expect(Observer().source == .live)
      let expected = ObservedState(mounts: mounts, features: .modern, filesystemProbed: false)
      #expect(saved.observe(desired: desired, mounts: mounts) == expected)
      #expect(Observer().observeTableOnly(desired: desired, mounts: mounts) == expected)
      // The live observer does see the taint, so the saved one really skipped probing.
      #expect(!Observer().observe(desired: desired, mounts: mounts).taintedUpperdirs.isEmpty)
    }
  }

  @Test func givenFeaturesAreReportedAsGiven() {
    let old = KernelFeatures(
      newMountAPI: true, idmappedMounts: false, overlayLowerdirPlus: false, openat2: true, statmount: false)
    let desired = DesiredState(
      config: config(root: "/nonexistent-reconcile-test"), instances: [], refused: [], issues: [],
      hasUnparseableManifest: false)
    let observed = Observer(features: old).observe(desired: desired, mounts: MountTable(entries: []))
    #expect(observed.features == old)
  }
}
