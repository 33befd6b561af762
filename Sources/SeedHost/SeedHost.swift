import FoundationEssentials
import Reconciler

/// A throwaway left4me host below `base` (a tmpfs in a private mount namespace):
/// config, manifests, layers, and the broken states the seeds describe. Used by
/// `reconcile demo` and the integration tests.
public struct SeedHost {
  public let base: String
  public var root: String { base + "/var/lib/left4me" }
  public var config: String { base + "/etc/reconcile/site.yaml" }
  public var instancesDirectory: String { base + "/etc/reconcile/instances.d" }
  /// The `left4me` uid and gid, numeric so the host needs no such user.
  public static let left4me: UInt32 = 980
  /// The `l4d2-sandbox` uid and gid.
  public static let sandbox: UInt32 = 981

  public init(base: String) {
    self.base = base
  }

  /// Writes the tree, the site config and three instance manifests. Layer files are
  /// owned by left4me, as workshop-built overlays are, except overlay 12, which the
  /// sandbox built before the idmapped staging bind existed: its files are
  /// l4d2-sandbox's until the migration runs.
  public func build() throws {
    let files: [String: String] = [
      "installation/left4dead2/gameinfo.txt": "\"GameInfo\" { game \"Left 4 Dead 2\" }\n",
      "installation/srcds_run": "#!/bin/sh\n",
      "overlays/4/left4dead2/addons/workshop_map.vpk": "map\n",
      "overlays/9/left4dead2/addons/sourcemod/plugins/admin.smx": "plugin\n",
      "global_overlay_cache/.keep": "", "workshop_cache/.keep": "",
      "runtime/3/upper/left4dead2/cfg/server.cfg": "hostname fuse era\n",
      "overlays/12/left4dead2/addons/sourcemod/plugins/built.smx": "script-built\n",
      "overlays/12/left4dead2/cfg/sourcemod/built.cfg": "sm_flag 1\n",
    ]
    for (path, text) in files { try write(root + "/" + path, text) }
    for layer in ["overlays/4", "overlays/9"] {
      try chownTree(root + "/" + layer, uid: Self.left4me, gid: Self.left4me)
    }
    // Built by the sandbox before builds used an idmapped staging bind.
    try chownTree(root + "/overlays/12", uid: Self.sandbox, gid: Self.sandbox)
    for dir in [
      "runtime/1/merged", "runtime/1/upper", "runtime/1/work", "runtime/3/merged",
      "runtime/3/work", "runtime/2/idmap/overlays_9", "tmp/sandbox-idmap-9",
      "tmp/sandbox-idmap-4",
    ] {
      try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
    }
    try write(
      config,
      """
      # The demo's site config: the left4me layout under a throwaway root.
      root: \(root)
      instances: instances.d
      lowerdir-roots: [installation, overlays, global_overlay_cache, workshop_cache]
      managed: [runtime, tmp]
      refuse-upper-xattrs: [user.fuseoverlayfs.]
      leases:
        - mounts: tmp/sandbox-idmap-*
          lock: "{mount}.lock"
      migrations:
        - id: overlays-owned-by-left4me
          chown: {path: overlays, from: "\(Self.sandbox)", to: "\(Self.left4me):\(Self.left4me)"}

      """)
    let instances = base + "/etc/reconcile/instances.d/"
    try write(instances + "1.yaml", overlayManifest("1", layers: "[overlays/4, installation]"))
    try write(
      instances + "2.yaml",
      overlayManifest("2", layers: "[overlays/9, overlays/4, installation]") + """
          - type: bind
            source: overlays/9
            target: runtime/2/build
            readonly: true
            idmap: {users: "\(Self.left4me):\(Self.sandbox):1", groups: "\(Self.left4me):\(Self.sandbox):1"}

        """)
    try write(instances + "3.yaml", overlayManifest("3", layers: "[installation]"))
  }

  /// Recreates the seeds' broken states; returns the lease a "build" still holds.
  public func breakIt() throws -> HeldLease {
    // The legacy gameserver idmap bind, stacked once per stop/start cycle.
    for _ in 0..<3 { try HostFixture.bind(root + "/overlays/9", at: root + "/runtime/2/idmap/overlays_9") }
    // A SIGKILLed sandbox build left its staging bind; nobody holds its lock.
    try HostFixture.bind(root + "/overlays/9", at: root + "/tmp/sandbox-idmap-9")
    // A build that is still running: staging bind plus a held lock.
    try HostFixture.bind(root + "/overlays/4", at: root + "/tmp/sandbox-idmap-4")
    let lease = try HostFixture.holdLease(root + "/tmp/sandbox-idmap-4.lock")
    // Instance 1 mounted by an older manifest: one layer too few.
    let stale = ResolvedOverlay(
      lowerdirs: [root + "/installation"], upperdir: root + "/runtime/1/upper",
      workdir: root + "/runtime/1/work", readOnly: false)
    if case .failure(let error) = KernelMountSystem()
      .mountOverlay(stale, at: root + "/runtime/1/merged", beneath: root)
    {
      throw error
    }
    // Instance 3's upperdir comes from the fuse-overlayfs era.
    try HostFixture.setXattr(root + "/runtime/3/upper", name: "user.fuseoverlayfs.origin", value: "1")
    return lease
  }

  /// What an operator does after reading the report: clean the fuse-era upperdir.
  public func cleanTaintedUpperdir() throws {
    try HostFixture.removeXattr(root + "/runtime/3/upper", name: "user.fuseoverlayfs.origin")
  }

  private func overlayManifest(_ name: String, layers: String) -> String {
    """
    # Instance \(name): its game server runs on this merged tree.
    instance: "\(name)"
    mounts:
      - type: overlay
        target: runtime/\(name)/merged
        lowerdirs: \(layers)
        upperdir: runtime/\(name)/upper
        workdir: runtime/\(name)/work

    """
  }

  private func chownTree(_ path: String, uid: UInt32, gid: UInt32) throws {
    try HostFixture.chown(path, uid: uid, gid: gid)
    for item in try FileManager.default.subpathsOfDirectory(atPath: path) {
      try HostFixture.chown(path + "/" + item, uid: uid, gid: gid)
    }
  }

  /// Writes `text` to `path`, creating parent directories.
  public func write(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }
}
