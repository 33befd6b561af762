import Foundation
import Reconciler

/// A throwaway left4me host on a tmpfs, in the demo's private mount namespace:
/// config, manifests, layers and the seeds' broken states.
struct DemoHost {
  let base: String
  var root: String { base + "/var/lib/left4me" }
  var config: String { base + "/etc/reconcile/site.yaml" }
  static let left4me: UInt32 = 980
  static let sandbox: UInt32 = 981

  /// Writes the tree, the site config and three instance manifests.
  func build() throws {
    let files: [String: String] = [
      "installation/left4dead2/gameinfo.txt": "\"GameInfo\" { game \"Left 4 Dead 2\" }\n",
      "installation/srcds_run": "#!/bin/sh\n",
      "overlays/4/left4dead2/addons/workshop_map.vpk": "map\n",
      "overlays/9/left4dead2/addons/sourcemod/plugins/admin.smx": "plugin\n",
      "global_overlay_cache/.keep": "", "workshop_cache/.keep": "",
      "runtime/3/upper/left4dead2/cfg/server.cfg": "hostname fuse era\n",
    ]
    for (path, text) in files { try write(root + "/" + path, text) }
    for dir in ["runtime/1/merged", "runtime/1/upper", "runtime/1/work", "runtime/3/merged",
                "runtime/3/work", "runtime/2/idmap/overlays_9", "tmp/sandbox-idmap-9",
                "tmp/sandbox-idmap-4"] {
      try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
    }
    try write(config, """
      # The demo's site config: the left4me layout under a throwaway root.
      root: \(root)
      instances: instances.d
      lowerdir-roots: [installation, overlays, global_overlay_cache, workshop_cache]
      managed: [runtime, tmp]
      refuse-upper-xattrs: [user.fuseoverlayfs.]
      leases:
        - mounts: tmp/sandbox-idmap-*
          lock: "{mount}.lock"

      """)
    let instances = base + "/etc/reconcile/instances.d/"
    try write(instances + "1.yaml", overlayManifest("1", layers: "[overlays/4, installation]"))
    try write(instances + "2.yaml", overlayManifest("2", layers: "[overlays/9, overlays/4, installation]") + """
        - type: bind
          source: overlays/9
          target: runtime/2/build
          readonly: true
          idmap: {users: "\(Self.left4me):\(Self.sandbox):1", groups: "\(Self.left4me):\(Self.sandbox):1"}

      """)
    try write(instances + "3.yaml", overlayManifest("3", layers: "[installation]"))
  }

  /// Recreates the seeds' broken states; returns the lease a "build" still holds.
  func breakIt() throws -> HeldLease {
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
    if case .failure(let error) = KernelMountSystem(overlayLowerdirPlus: true)
      .mountOverlay(stale, at: root + "/runtime/1/merged", beneath: root) {
      throw error
    }
    // Instance 3's upperdir comes from the fuse-overlayfs era.
    try HostFixture.setXattr(root + "/runtime/3/upper", name: "user.fuseoverlayfs.origin", value: "1")
    return lease
  }

  /// What an operator does after reading the report: clean the fuse-era upperdir.
  func cleanTaintedUpperdir() throws {
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

  private func write(_ path: String, _ text: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(text.utf8).write(to: url)
  }
}
