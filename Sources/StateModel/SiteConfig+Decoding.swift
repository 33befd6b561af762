import SystemPackage

extension SiteConfig {
  /// The keys a site config may hold, in the order DESIGN 3.3 lists them.
  static let allowedKeys = [
    "root", "instances", "state", "lowerdir-roots", "managed", "refuse-upper-xattrs",
    "leases", "migrations",
  ]

  /// Where the state directory goes when the config does not say, relative to root.
  public static let defaultStateDirectory = ".reconcile"

  /// Decodes and validates a site config. Pure: reads no files.
  ///
  /// Every problem is reported, each with file, line, column and key path. Paths
  /// relative to `root` are made absolute; `instances` is taken relative to the
  /// directory of `file`.
  /// - Parameters:
  ///   - yaml: The config file's text.
  ///   - file: The config file's absolute path, used in locations and to resolve
  ///     `instances` (with a relative `file`, a relative `instances` is refused).
  /// - Returns: The config, or nil when there is any issue, and every issue found.
  public static func decode(yaml: String, file: String) -> (
    config: SiteConfig?, issues: [ManifestIssue]
  ) {
    let decoder = ManifestDecoder(file: file, instance: nil)
    let document: YAMLNode
    do {
      document = try YAMLParser.parse(yaml, file: file)
    } catch {
      decoder.report(error)
      return (nil, decoder.issues)
    }
    guard
      let settings = decoder.mapping(
        document, at: .document, what: "a mapping of site settings", allowedKeys: allowedKeys)
    else { return (nil, decoder.issues) }
    let config = decodeSettings(settings, file: file, decoder: decoder)
    return decoder.issues.isEmpty ? (config, []) : (nil, decoder.issues)
  }

  private static func decodeSettings(
    _ settings: MappingReader, file: String, decoder: ManifestDecoder
  ) -> SiteConfig? {
    let root = decodeRoot(settings, decoder: decoder)
    // Without a usable root, relative paths are still checked for type and `..`
    // against a stand-in, but not for lying below root.
    let base = root ?? "/"
    let configDirectory = FilePath(file).removingLastComponent().string
    let instances = settings.required("instances", decoder).flatMap {
      decoder.path($0, at: .document.appending("instances"), against: configDirectory)
    }
    let state = decodeStateDirectory(settings, root: root, decoder: decoder)
    let lowerdirRoots = decodePaths("lowerdir-roots", settings, base: base, decoder: decoder)
    let managed = decodePaths("managed", settings, base: base, decoder: decoder)
    if let root {
      for entry in managed where !PathRules.isWithin(entry.path, root) {
        decoder.report(
          "managed directory '\(entry.path)' is not under root '\(root)'",
          at: entry.location, entry.keyPath)
      }
    }
    let xattrs = decodeXattrPrefixes(settings, decoder: decoder)
    let leases = LeaseRule.decodeList(settings["leases"], root: root, decoder: decoder)
    let migrations = MigrationSpec.decodeList(settings["migrations"], root: root, decoder: decoder)
    guard let root, let instances, let state else { return nil }
    return SiteConfig(
      file: file, root: root, instancesDirectory: instances, stateDirectory: state,
      lowerdirRoots: lowerdirRoots.map(\.path), managed: managed.map(\.path),
      refuseUpperXattrs: xattrs, leases: leases, migrations: migrations)
  }

  private static func decodeRoot(_ settings: MappingReader, decoder: ManifestDecoder) -> String? {
    guard let node = settings.required("root", decoder),
      let text = decoder.string(node, at: .document.appending("root"), what: "an absolute path")
    else { return nil }
    if let violation = PathRules.checkNormalAbsolute(text) {
      decoder.report(violation.description, at: node.location, .document.appending("root"))
      return nil
    }
    return text
  }

  private static func decodeStateDirectory(
    _ settings: MappingReader, root: String?, decoder: ManifestDecoder
  ) -> String? {
    let key = ManifestKeyPath.document.appending("state")
    guard let node = settings["state"] else {
      return root.map { FilePath($0).appending(defaultStateDirectory).string }
    }
    guard let state = decoder.path(node, at: key, against: root ?? "/") else { return nil }
    if let root, !PathRules.isStrictlyBeneath(state, root) {
      decoder.report(
        "state directory '\(state)' is not below root '\(root)'", at: node.location, key)
      return nil
    }
    return state
  }

  /// Reads an optional list of paths; absent means empty.
  private static func decodePaths(
    _ key: String, _ settings: MappingReader, base: String, decoder: ManifestDecoder
  ) -> [(path: String, location: SourceLocation, keyPath: ManifestKeyPath)] {
    guard let node = settings[key] else { return [] }
    return decoder.pathList(node, at: .document.appending(key), against: base) ?? []
  }

  private static func decodeXattrPrefixes(_ settings: MappingReader, decoder: ManifestDecoder)
    -> [String]
  {
    let key = ManifestKeyPath.document.appending("refuse-upper-xattrs")
    guard let node = settings["refuse-upper-xattrs"],
      let items = decoder.sequence(node, at: key, what: "a list of xattr name prefixes")
    else { return [] }
    return items.compactMap {
      decoder.nonEmptyString($0.node, at: $0.path, what: "an xattr name prefix")
    }
  }
}
