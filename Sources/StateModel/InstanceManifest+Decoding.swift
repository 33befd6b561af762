extension InstanceManifest {
  /// The keys an instance manifest may hold.
  static let allowedKeys = ["instance", "enabled", "mounts"]

  /// Decodes and validates one instance manifest. Pure: reads no files.
  ///
  /// Every problem is reported with file, line, column and key path; any problem
  /// refuses the manifest whole. The declared targets are read as far as possible even
  /// then, so the planner can leave them untouched.
  /// - Parameters:
  ///   - yaml: The manifest's text.
  ///   - file: The manifest's path, used in locations.
  ///   - name: The instance name: the file name without `.yaml`.
  ///   - config: The site config the manifest's paths are checked against.
  /// - Returns: The manifest or its refusal, with every issue.
  public static func decode(yaml: String, file: String, name: String, config: SiteConfig)
    -> InstanceDecoding
  {
    let decoder = ManifestDecoder(file: file, instance: name)
    var outcome = InstanceDecoding(
      name: name, file: file, manifest: nil, targets: [], issues: [], isParseable: false,
      targetsAreComplete: false)
    let document: YAMLNode
    do {
      document = try YAMLParser.parse(yaml, file: file)
    } catch {
      decoder.report(error)
      outcome.issues = decoder.issues
      return outcome
    }
    outcome.isParseable = true
    let body = decoder.mapping(
      document, at: .document, what: "a mapping with 'mounts'", allowedKeys: allowedKeys)
    if let body {
      checkInstanceName(body, name: name, file: file, decoder: decoder)
      let enabled = body["enabled"].flatMap {
        decoder.boolean($0, at: .document.appending("enabled"))
      }
      let mounts = decodeMounts(body["mounts"], config: config, decoder: decoder)
      outcome.targets = mounts.targets
      outcome.targetsAreComplete = mounts.targetsAreComplete
      outcome.manifest = InstanceManifest(
        name: name, file: file, enabled: enabled ?? true, mounts: mounts.accepted)
    }
    outcome.issues = decoder.issues.sortedByPosition()
    if !outcome.issues.isEmpty { outcome.manifest = nil }
    return outcome
  }

  private static func checkInstanceName(
    _ body: MappingReader, name: String, file: String, decoder: ManifestDecoder
  ) {
    guard let node = body["instance"],
      let declared = decoder.string(
        node, at: .document.appending("instance"), what: "the instance name")
    else { return }
    if declared != name {
      decoder.report(
        "instance '\(declared)' does not match the file name; it must be '\(name)' or be left out",
        at: node.location, .document.appending("instance"))
    }
  }

  /// The mounts that decoded, every target that could be read, and whether that is all
  /// of them.
  private static func decodeMounts(
    _ node: YAMLNode?, config: SiteConfig, decoder: ManifestDecoder
  ) -> (accepted: [DesiredMount], targets: [DeclaredTarget], targetsAreComplete: Bool) {
    guard let node else { return ([], [], true) }
    let key = ManifestKeyPath.document.appending("mounts")
    guard let items = decoder.sequence(node, at: key, what: "a list of mounts") else {
      return ([], [], false)
    }
    var accepted: [DesiredMount] = []
    var targets: [DeclaredTarget] = []
    var targetsAreComplete = true
    var decoded: [(path: ManifestKeyPath, mount: DesiredMount)] = []
    for item in items {
      let result = DesiredMount.decode(item.node, at: item.path, config: config, decoder: decoder)
      if let target = result.target { targets.append(target) } else { targetsAreComplete = false }
      if let mount = result.mount {
        accepted.append(mount)
        decoded.append((item.path, mount))
      }
    }
    checkTargetsAgainstEachOther(decoded, targets: targets, decoder: decoder)
    return (accepted, targets, targetsAreComplete)
  }

  /// One instance's mounts may not share a target, and no target may lie inside an
  /// upperdir or workdir: mounting there would hide or corrupt overlay state.
  private static func checkTargetsAgainstEachOther(
    _ mounts: [(path: ManifestKeyPath, mount: DesiredMount)], targets: [DeclaredTarget],
    decoder: ManifestDecoder
  ) {
    var firstClaim: [String: ManifestKeyPath] = [:]
    for (path, mount) in mounts {
      let target = mount.spec.target
      let keyPath = path.appending("target")
      let location = targets.first { $0.keyPath == keyPath.description }?.location ?? mount.location
      if let first = firstClaim[target] {
        decoder.report("target '\(target)' is also the target of \(first)", at: location, keyPath)
      } else {
        firstClaim[target] = path
      }
      for (otherPath, other) in mounts {
        guard case .overlay(let overlay) = other.spec else { continue }
        let owner = otherPath == path ? "its own overlay" : otherPath.description
        for (role, directory) in [("upperdir", overlay.upperdir), ("workdir", overlay.workdir)] {
          guard let directory, PathRules.isWithin(target, directory) else { continue }
          decoder.report(
            "target '\(target)' lies inside the \(role) of \(owner) ('\(directory)')",
            at: location, keyPath)
        }
      }
    }
  }
}
