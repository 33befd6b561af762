import SystemPackage

extension DesiredMount {
  /// The mount types a manifest may name.
  /// The manifest schema (ManifestSchema) takes each type's keys from here too.
  enum MountType: String, CaseIterable {
    case overlay
    case bind

    var allowedKeys: [String] {
      switch self {
      case .overlay: return ["type", "target", "lowerdirs", "upperdir", "workdir", "readonly"]
      case .bind: return ["type", "source", "target", "readonly", "idmap"]
      }
    }
  }

  /// Decodes one entry of a manifest's `mounts` list.
  /// - Returns: The mount, or nil after reporting why; and its target, read on a best
  ///   effort basis even when the mount is refused (nil when it cannot be read).
  static func decode(
    _ node: YAMLNode, at path: ManifestKeyPath, config: SiteConfig, decoder: ManifestDecoder
  ) -> (mount: DesiredMount?, target: DeclaredTarget?) {
    guard case .mapping(let entries) = node.content else {
      decoder.reportType(
        expected: "a mount (a mapping with 'type' and 'target')", found: node, path)
      return (nil, nil)
    }
    let type = decodeType(entries, mountLocation: node.location, at: path, decoder: decoder)
    // With no usable type, accept either type's keys rather than flag half of them.
    let allowedKeys =
      type?.allowedKeys ?? MountType.allCases.flatMap(\.allowedKeys).uniquedInOrder()
    guard
      let mount = decoder.mapping(
        node, at: path, what: "a mount", allowedKeys: allowedKeys,
        unknownKeyMessage: { key in
          guard let type,
            let owner = MountType.allCases.first(where: { $0.allowedKeys.contains(key) })
          else { return nil }
          return "key '\(key)' belongs to \(owner.rawValue) mounts, not \(type.rawValue) mounts"
        })
    else { return (nil, nil) }
    let target = decodeTarget(mount, config: config, decoder: decoder)
    let spec: MountSpec?
    switch type {
    case .overlay:
      spec = OverlaySpec.decode(mount, target: target.resolved, config: config, decoder: decoder)
        .map(MountSpec.overlay)
    case .bind:
      spec = BindSpec.decode(mount, target: target.resolved, config: config, decoder: decoder)
        .map(MountSpec.bind)
    case nil:
      spec = nil
    }
    return (spec.map { DesiredMount(spec: $0, location: node.location) }, target.declared)
  }

  private static func decodeType(
    _ entries: [YAMLNode.MappingEntry], mountLocation: SourceLocation, at path: ManifestKeyPath,
    decoder: ManifestDecoder
  ) -> MountType? {
    guard let node = entries.first(where: { $0.key == "type" })?.value else {
      decoder.report(
        "missing required key 'type' (overlay or bind)", at: mountLocation, path.appending("type"))
      return nil
    }
    guard let text = decoder.string(node, at: path.appending("type"), what: "overlay or bind")
    else { return nil }
    guard let type = MountType(rawValue: text) else {
      decoder.report(
        "unknown mount type '\(text)' (expected overlay or bind)", at: node.location,
        path.appending("type"))
      return nil
    }
    return type
  }

  /// Reads `target`: it must lie below `root` and below one of `managed`.
  /// - Returns: The target if valid, and the target as declared, which for a path
  ///   with `..` is its lexical reading: protecting a spelling too many is harmless.
  private static func decodeTarget(
    _ mount: MappingReader, config: SiteConfig, decoder: ManifestDecoder
  ) -> (resolved: String?, declared: DeclaredTarget?) {
    let path = mount.path.appending("target")
    guard let node = mount.required("target", decoder) else { return (nil, nil) }
    let resolved = decoder.path(node, at: path, against: config.root)
    var declaredPath = resolved
    if resolved == nil, let text = node.scalar?.text, node.scalar?.kind == .string,
      !text.isEmpty, !text.utf8.contains(0)
    {
      declaredPath = FilePath(config.root).pushing(FilePath(text)).lexicallyNormalized().string
    }
    let declared = declaredPath.map {
      DeclaredTarget(path: $0, location: node.location, keyPath: path.description)
    }
    guard let target = resolved else { return (nil, declared) }
    guard PathRules.isStrictlyBeneath(target, config.root) else {
      decoder.report(
        "target '\(target)' is not below root '\(config.root)'", at: node.location, path)
      return (nil, declared)
    }
    guard config.managed.contains(where: { PathRules.isStrictlyBeneath(target, $0) }) else {
      decoder.report(
        "target '\(target)' is not below a managed directory "
          + "(managed: \(config.managed.listed))", at: node.location, path)
      return (nil, declared)
    }
    return (target, declared)
  }
}

extension [String] {
  /// The list for a message: `a, b, c`, or `none`.
  var listed: String { isEmpty ? "none" : joined(separator: ", ") }

  /// The elements in order, each only at its first appearance.
  func uniquedInOrder() -> [String] {
    var seen: Set<String> = []
    return filter { seen.insert($0).inserted }
  }
}
