extension IDMapSpec {
  /// The keys of a bind's `idmap` mapping; both are required.
  static let allowedKeys = ["users", "groups"]

  /// Decodes `idmap: {users: "disk:seen:count", groups: "disk:seen:count"}`.
  /// - Returns: The map, or nil after reporting why.
  static func decode(_ node: YAMLNode, at path: ManifestKeyPath, decoder: ManifestDecoder)
    -> IDMapSpec?
  {
    guard
      let idmap = decoder.mapping(
        node, at: path, what: "an idmap ({users: \"disk:seen:count\", groups: ...})",
        allowedKeys: allowedKeys)
    else { return nil }
    // Both maps are required: a uid-only map leaves every gid unmapped (util-linux#2175).
    let users = idmap.required("users", decoder).flatMap {
      IDMapping.decode($0, at: path.appending("users"), decoder: decoder)
    }
    let groups = idmap.required("groups", decoder).flatMap {
      IDMapping.decode($0, at: path.appending("groups"), decoder: decoder)
    }
    guard let users, let groups else { return nil }
    return IDMapSpec(users: users, groups: groups)
  }
}

extension IDMapping {
  /// Decodes `"disk:seen:count"`: two user or group names or numbers, then a positive
  /// count, as util-linux `X-mount.idmap` writes them.
  /// - Returns: The mapping, or nil after reporting why.
  static func decode(_ node: YAMLNode, at path: ManifestKeyPath, decoder: ManifestDecoder)
    -> IDMapping?
  {
    guard let text = decoder.string(node, at: path, what: "\"disk:seen:count\"") else {
      return nil
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
    guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
      decoder.report(
        "expected \"disk:seen:count\" (e.g. \"left4me:l4d2-sandbox:1\"), found '\(text)'",
        at: node.location, path)
      return nil
    }
    guard let count = UInt32(parts[2]), count > 0, parts[2].allSatisfy(\.isASCII) else {
      decoder.report(
        "the count in '\(text)' must be a positive integer, found '\(parts[2])'",
        at: node.location, path)
      return nil
    }
    let onDisk = IDReference(parsing: parts[0])
    let seen = IDReference(parsing: parts[1])
    // A numeric range may not run past the last valid id (4294967294).
    for case .number(let first) in [onDisk, seen]
    where UInt64(first) + UInt64(count) > UInt64(UInt32.max) {
      decoder.report(
        "the range \(first)+\(count) in '\(text)' runs past the largest id", at: node.location, path
      )
      return nil
    }
    return IDMapping(onDisk: onDisk, seenThroughMount: seen, count: count)
  }
}
