extension BindSpec {
  /// Decodes the bind-specific keys of a mount whose target is already read.
  /// - Returns: The bind, or nil after reporting why.
  static func decode(
    _ mount: MappingReader, target: String?, config: SiteConfig, decoder: ManifestDecoder
  ) -> BindSpec? {
    let issuesBefore = decoder.issues.count
    let sourcePath = mount.path.appending("source")
    var source: String?
    if let node = mount.required("source", decoder) {
      source = decoder.path(node, at: sourcePath, against: config.root)
      if let resolved = source,
        !config.lowerdirRoots.contains(where: { PathRules.isWithin(resolved, $0) })
      {
        decoder.report(
          "source '\(resolved)' is not under a lowerdir root "
            + "(lowerdir-roots: \(config.lowerdirRoots.listed))", at: node.location, sourcePath)
      }
    }
    let readOnly = mount["readonly"].flatMap {
      decoder.boolean($0, at: mount.path.appending("readonly"))
    }
    let idmap = mount["idmap"].flatMap {
      IDMapSpec.decode($0, at: mount.path.appending("idmap"), decoder: decoder)
    }
    guard decoder.issues.count == issuesBefore, let source, let target else { return nil }
    return BindSpec(source: source, target: target, readOnly: readOnly ?? false, idmap: idmap)
  }
}
