import Probes
import StateModel

/// Small builders for desired and observed values in tests.
public enum StateBuilders {
  /// A site config rooted at `root` with the left4me layout.
  public static func config(
    root: String = "/srv/l4d", leases: [LeaseRule]? = nil, migrations: [MigrationSpec] = []
  ) -> SiteConfig {
    SiteConfig(
      file: root + "/site.yaml", root: root, instancesDirectory: root + "/instances.d",
      stateDirectory: root + "/.reconcile",
      lowerdirRoots: ["installation", "overlays"].map { root + "/" + $0 },
      managed: ["runtime", "tmp"].map { root + "/" + $0 },
      refuseUpperXattrs: ["user.fuseoverlayfs."],
      leases: leases ?? [LeaseRule(pattern: root + "/tmp/sandbox-idmap-*", lockTemplate: "{mount}.lock")],
      migrations: migrations)
  }

  /// The left4me migration: overlays from the sandbox (981) to left4me (980).
  public static func migration(root: String = "/srv/l4d", path: String = "overlays") -> MigrationSpec {
    MigrationSpec(
      id: "overlays-owned-by-left4me", path: root + "/" + path, fromUser: .number(981), fromGroup: nil,
      toUser: .number(980), toGroup: .number(980),
      location: SourceLocation(file: root + "/site.yaml", line: 20, column: 5))
  }

  /// Instance `name` with one overlay at `runtime/<name>/merged`.
  public static func overlayInstance(
    _ name: String, root: String = "/srv/l4d", lowerdirs: [String] = ["overlays/9", "installation"],
    enabled: Bool = true
  ) -> InstanceManifest {
    let spec = OverlaySpec(
      target: "\(root)/runtime/\(name)/merged", lowerdirs: lowerdirs.map { root + "/" + $0 },
      upperdir: "\(root)/runtime/\(name)/upper", workdir: "\(root)/runtime/\(name)/work")
    return InstanceManifest(
      name: name, file: "\(root)/instances.d/\(name).yaml", enabled: enabled,
      mounts: [DesiredMount(spec: .overlay(spec), location: SourceLocation(file: "\(name).yaml", line: 3, column: 5))])
  }

  /// Desired state of the given accepted instances.
  public static func desired(
    _ instances: [InstanceManifest], config: SiteConfig = config(),
    refused: [RefusedInstance] = [], unparseable: Bool = false
  ) -> DesiredState {
    DesiredState(
      config: config, instances: instances, refused: refused,
      issues: refused.flatMap(\.issues), hasUnparseableManifest: unparseable)
  }

  /// The root filesystem and a tmpfs at `root`, ids 1 and 2.
  public static func baseEntries(root: String = "/srv/l4d") -> [MountEntry] {
    [
      entry(id: 1, parent: 0, target: "/", fsType: "ext4", major: 254, minor: 0),
      entry(id: 2, parent: 1, target: root, fsType: "tmpfs", major: 0, minor: 40),
    ]
  }

  /// One mountinfo entry.
  public static func entry(
    id: Int, parent: Int, target: String, root: String = "/", fsType: String = "tmpfs",
    major: UInt32 = 0, minor: UInt32 = 40, options: [String] = ["rw", "relatime"],
    overlay: OverlayLayers? = nil
  ) -> MountEntry {
    MountEntry(
      id: id, parentID: parent, major: major, minor: minor, root: root, target: target,
      fsType: fsType, source: fsType, mountOptions: options, superOptions: ["rw"],
      propagation: Propagation(), overlay: overlay)
  }

  /// The overlay entry that `overlayInstance(name)` wants.
  public static func overlayEntry(
    id: Int, parent: Int = 2, instance name: String, root: String = "/srv/l4d",
    lowerdirs: [String] = ["overlays/9", "installation"]
  ) -> MountEntry {
    entry(
      id: id, parent: parent, target: "\(root)/runtime/\(name)/merged", fsType: "overlay",
      minor: UInt32(100 + id),
      overlay: OverlayLayers(
        lowerdirs: lowerdirs.map { root + "/" + $0 }, upperdir: "\(root)/runtime/\(name)/upper",
        workdir: "\(root)/runtime/\(name)/work"))
  }

  /// Observed state over these entries, filesystem probed, nothing tainted.
  public static func observed(
    _ entries: [MountEntry], leases: [String: LeaseObservation] = [:],
    missing: Set<String> = [], tainted: [String: [String]] = [:],
    identities: IdentityTable = IdentityTable(), probed: Bool = true,
    records: [String: MigrationRecordObservation] = [:], heldLocks: [String] = []
  ) -> ObservedState {
    ObservedState(
      mounts: MountTable(entries: entries), features: .modern, filesystemProbed: probed,
      leases: leases, taintedUpperdirs: tainted, identities: identities,
      missingDirectories: missing, migrationRecords: records, heldLeaseLocks: heldLocks)
  }
}
