import StateModel

/// A small site for decoding manifests against.
enum Fixtures {
  static let root = "/srv/l4m"
  static let manifestFile = "/etc/reconcile/instances.d/2.yaml"

  static let config = SiteConfig(
    file: "/etc/reconcile/site.yaml", root: root,
    instancesDirectory: "/etc/reconcile/instances.d", stateDirectory: "\(root)/.reconcile",
    lowerdirRoots: ["\(root)/installation", "\(root)/overlays"],
    managed: ["\(root)/runtime", "\(root)/tmp"], refuseUpperXattrs: ["user.fuseoverlayfs."],
    leases: [], migrations: [])

  /// Decodes `yaml` as instance 2 of the fixture site.
  static func decode(_ yaml: String, config: SiteConfig = config) -> InstanceDecoding {
    InstanceManifest.decode(yaml: yaml, file: manifestFile, name: "2", config: config)
  }

  /// Joins lines into one document, so each line number is easy to read off.
  static func lines(_ lines: String...) -> String {
    lines.joined(separator: "\n") + "\n"
  }
}
