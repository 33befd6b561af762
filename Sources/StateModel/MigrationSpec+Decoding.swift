extension MigrationSpec {
  /// The keys one `migrations` entry may hold.
  static let allowedKeys = ["id", "chown"]
  /// The keys of a migration's `chown` mapping.
  static let chownKeys = ["path", "from", "to"]
  /// What a migration id may be made of: it names a record file.
  private static let idCharacters = Set(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

  /// Decodes the site config's optional `migrations` list; ids must be unique.
  /// - Returns: The migrations that decoded; the rest are reported to `decoder`.
  static func decodeList(_ node: YAMLNode?, root: String?, decoder: ManifestDecoder)
    -> [MigrationSpec]
  {
    guard let node,
      let items = decoder.sequence(
        node, at: .document.appending("migrations"), what: "a list of migrations")
    else { return [] }
    var firstUse: [String: SourceLocation] = [:]
    return items.compactMap { item in
      guard let migration = decode(item.node, at: item.path, root: root, decoder: decoder)
      else { return nil }
      if let first = firstUse[migration.id] {
        decoder.report(
          "duplicate migration id '\(migration.id)' (first used at line \(first.line))",
          at: idLocation(item.node), item.path.appending("id"))
        return nil
      }
      firstUse[migration.id] = idLocation(item.node)
      return migration
    }
  }

  private static func decode(
    _ node: YAMLNode, at path: ManifestKeyPath, root: String?, decoder: ManifestDecoder
  ) -> MigrationSpec? {
    guard
      let migration = decoder.mapping(
        node, at: path, what: "a migration ({id, chown})", allowedKeys: allowedKeys)
    else { return nil }
    let id = migration.required("id", decoder).flatMap {
      decodeID($0, at: path.appending("id"), decoder: decoder)
    }
    let chownPath = path.appending("chown")
    let chown = migration.required("chown", decoder).flatMap {
      decoder.mapping(
        $0, at: chownPath, what: "a chown ({path, from, to})", allowedKeys: chownKeys)
    }
    guard let chown else { return nil }
    let tree = chown.required("path", decoder).flatMap { node -> String? in
      guard let tree = decoder.path(node, at: chownPath.appending("path"), against: root ?? "/")
      else { return nil }
      if let root, !PathRules.isWithin(tree, root) {
        decoder.report(
          "'\(tree)' is not under root '\(root)'", at: node.location, chownPath.appending("path"))
        return nil
      }
      return tree
    }
    let from = chown.required("from", decoder).flatMap {
      decodeOwner($0, at: chownPath.appending("from"), decoder: decoder)
    }
    let to = chown.required("to", decoder).flatMap {
      decodeOwner($0, at: chownPath.appending("to"), decoder: decoder)
    }
    guard let id, let tree, let from, let to else { return nil }
    return MigrationSpec(
      id: id, path: tree, fromUser: from.user, fromGroup: from.group, toUser: to.user,
      toGroup: to.group, location: node.location)
  }

  /// Ids name record files under the state directory, so they must be plain file names.
  private static func decodeID(_ node: YAMLNode, at path: ManifestKeyPath, decoder: ManifestDecoder)
    -> String?
  {
    guard let id = decoder.nonEmptyString(node, at: path, what: "a migration id") else {
      return nil
    }
    let allowed = id.allSatisfy(idCharacters.contains)
    guard allowed, !id.hasPrefix(".") else {
      decoder.report(
        "migration id '\(id)' may hold only letters, digits, '-', '_' and '.', "
          + "and may not start with '.'", at: node.location, path)
      return nil
    }
    return id
  }

  /// Reads `user` or `user:group`.
  private static func decodeOwner(
    _ node: YAMLNode, at path: ManifestKeyPath, decoder: ManifestDecoder
  ) -> (user: IDReference, group: IDReference?)? {
    guard let text = decoder.string(node, at: path, what: "'user' or 'user:group'") else {
      return nil
    }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), !parts.contains(where: \.isEmpty) else {
      decoder.report(
        "expected 'user' or 'user:group', found '\(text)'", at: node.location, path)
      return nil
    }
    return (
      IDReference(parsing: String(parts[0])),
      parts.count == 2 ? IDReference(parsing: String(parts[1])) : nil
    )
  }

  private static func idLocation(_ node: YAMLNode) -> SourceLocation {
    guard case .mapping(let entries) = node.content,
      let id = entries.first(where: { $0.key == "id" })
    else { return node.location }
    return id.value.location
  }
}
