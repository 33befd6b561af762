extension OverlaySpec {
  /// Most lower layers one overlayfs mount may stack. The corresponding kernel
  /// constant is `OVL_MAX_STACK`.
  public static let maximumLowerdirs = 500

  /// Characters overlayfs reads as separators in its mount options.
  static let optionSeparators: [UInt8] = [UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "\\")]

  /// Decodes the overlay-specific keys of a mount whose target is already read.
  /// - Returns: The overlay, or nil after reporting why.
  static func decode(
    _ mount: MappingReader, target: String?, config: SiteConfig, decoder: ManifestDecoder
  ) -> OverlaySpec? {
    let issuesBefore = decoder.issues.count
    let lowerdirs = decodeLowerdirs(mount, config: config, decoder: decoder)
    let upperdir = decodeUpperOrWorkdir("upperdir", mount, config: config, decoder: decoder)
    let workdir = decodeUpperOrWorkdir("workdir", mount, config: config, decoder: decoder)
    for (present, absent) in [("upperdir", "workdir"), ("workdir", "upperdir")]
    where mount.contains(present) && !mount.contains(absent) {
      decoder.report(
        "missing '\(absent)': upperdir and workdir go together (leave both out for a "
          + "read-only overlay)", at: mount.location, mount.path.appending(absent))
    }
    if let upperdir, let workdir {
      checkSeparate(upperdir: upperdir, workdir: workdir, mount: mount, decoder: decoder)
    }
    let readOnly = mount["readonly"].flatMap {
      decoder.boolean($0, at: mount.path.appending("readonly"))
    }
    if readOnly == false, !mount.contains("upperdir"), let node = mount["readonly"] {
      decoder.report(
        "an overlay without upperdir is always read-only; remove 'readonly: false' or add "
          + "upperdir and workdir", at: node.location, mount.path.appending("readonly"))
    }
    // The kernel's words: "at least 2 lowerdir are needed while upperdir nonexistent".
    // Said only of an overlay that is otherwise right, so it never buries the real problem.
    if decoder.issues.count == issuesBefore, lowerdirs?.count == 1, upperdir == nil, let node = mount["lowerdirs"] {
      decoder.report(
        "a read-only overlay (no upperdir) needs at least 2 lowerdirs; overlayfs refuses one",
        at: node.location, mount.path.appending("lowerdirs"))
    }
    guard decoder.issues.count == issuesBefore, let target, let lowerdirs else { return nil }
    return OverlaySpec(
      target: target, lowerdirs: lowerdirs, upperdir: upperdir, workdir: workdir,
      readOnly: readOnly ?? (upperdir == nil))
  }

  private static func decodeLowerdirs(
    _ mount: MappingReader, config: SiteConfig, decoder: ManifestDecoder
  ) -> [String]? {
    let path = mount.path.appending("lowerdirs")
    guard let node = mount.required("lowerdirs", decoder),
      let items = decoder.pathList(node, at: path, against: config.root)
    else { return nil }
    guard case .sequence(let written) = node.content, !written.isEmpty else {
      decoder.report("lowerdirs must list at least one directory", at: node.location, path)
      return nil
    }
    if written.count > maximumLowerdirs {
      decoder.report(
        "overlayfs stacks at most \(maximumLowerdirs) lowerdirs; found \(written.count)",
        at: node.location, path)
    }
    for item in items {
      checkOptionSafe(item.path, at: item.location, item.keyPath, decoder: decoder)
      if !config.lowerdirRoots.contains(where: { PathRules.isWithin(item.path, $0) }) {
        decoder.report(
          "lowerdir '\(item.path)' is not under a lowerdir root "
            + "(lowerdir-roots: \(config.lowerdirRoots.listed))", at: item.location, item.keyPath)
      }
    }
    return items.map(\.path)
  }

  private static func decodeUpperOrWorkdir(
    _ key: String, _ mount: MappingReader, config: SiteConfig, decoder: ManifestDecoder
  ) -> String? {
    let path = mount.path.appending(key)
    guard let node = mount[key], let directory = decoder.path(node, at: path, against: config.root)
    else { return nil }
    checkOptionSafe(directory, at: node.location, path, decoder: decoder)
    guard PathRules.isStrictlyBeneath(directory, config.root) else {
      decoder.report(
        "\(key) '\(directory)' is not below root '\(config.root)'", at: node.location, path)
      return nil
    }
    return directory
  }

  /// overlayfs needs the workdir beside the upperdir, never inside it or the same.
  private static func checkSeparate(
    upperdir: String, workdir: String, mount: MappingReader, decoder: ManifestDecoder
  ) {
    guard PathRules.isWithin(workdir, upperdir) || PathRules.isWithin(upperdir, workdir) else {
      return
    }
    let location = mount["workdir"]?.location ?? mount.location
    decoder.report(
      "workdir '\(workdir)' and upperdir '\(upperdir)' must be separate directories, "
        + "neither inside the other", at: location, mount.path.appending("workdir"))
  }

  private static func checkOptionSafe(
    _ directory: String, at location: SourceLocation, _ path: ManifestKeyPath,
    decoder: ManifestDecoder
  ) {
    // On the bytes: all three are ASCII, and a Character walk of every path was slow.
    guard let separator = directory.utf8.first(where: optionSeparators.contains) else { return }
    decoder.report(
      "'\(directory)' contains '\(Character(Unicode.Scalar(separator)))', which overlayfs reads as a separator in its "
        + "mount options", at: location, path)
  }
}
