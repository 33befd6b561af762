extension LeaseRule {
  /// The keys one `leases` entry may hold.
  static let allowedKeys = ["mounts", "lock"]

  /// The placeholder a lock template must contain.
  public static let mountPlaceholder = "{mount}"

  /// Decodes the site config's optional `leases` list.
  /// - Returns: The rules that decoded; the rest are reported to `decoder`.
  static func decodeList(_ node: YAMLNode?, root: String?, decoder: ManifestDecoder)
    -> [LeaseRule]
  {
    guard let node,
      let items = decoder.sequence(
        node, at: .document.appending("leases"), what: "a list of leases")
    else { return [] }
    return items.compactMap { decode($0.node, at: $0.path, root: root, decoder: decoder) }
  }

  private static func decode(
    _ node: YAMLNode, at path: ManifestKeyPath, root: String?, decoder: ManifestDecoder
  ) -> LeaseRule? {
    guard
      let lease = decoder.mapping(
        node, at: path, what: "a lease ({mounts: glob, lock: template})", allowedKeys: allowedKeys)
    else { return nil }
    let pattern = lease.required("mounts", decoder).flatMap { mounts -> String? in
      guard let pattern = decoder.path(mounts, at: path.appending("mounts"), against: root ?? "/")
      else { return nil }
      if let root, !PathRules.isStrictlyBeneath(pattern, root) {
        decoder.report(
          "lease pattern '\(pattern)' is not below root '\(root)'", at: mounts.location,
          path.appending("mounts"))
        return nil
      }
      return pattern
    }
    let template = lease.required("lock", decoder).flatMap { lock in
      decodeTemplate(lock, at: path.appending("lock"), decoder: decoder)
    }
    guard let pattern, let template else { return nil }
    return LeaseRule(pattern: pattern, lockTemplate: template)
  }

  private static func decodeTemplate(
    _ node: YAMLNode, at path: ManifestKeyPath, decoder: ManifestDecoder
  ) -> String? {
    guard let template = decoder.nonEmptyString(node, at: path, what: "a lock path template")
    else { return nil }
    guard template.contains(mountPlaceholder) else {
      decoder.report(
        "lock template '\(template)' does not contain '\(mountPlaceholder)'",
        at: node.location, path)
      return nil
    }
    // `{mount}` stands for an absolute target, so the template is absolute exactly
    // when it starts with `/` or with the placeholder.
    guard template.hasPrefix("/") || template.hasPrefix(mountPlaceholder) else {
      decoder.report(
        "lock template '\(template)' must start with '/' or '\(mountPlaceholder)'",
        at: node.location, path)
      return nil
    }
    if template.split(separator: "/").contains("..") {
      decoder.report(
        "lock template '\(template)' contains a '..' component", at: node.location, path)
      return nil
    }
    return template
  }
}
