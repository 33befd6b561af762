/// Readers for scalar values and lists.
extension ManifestDecoder {
  /// Reads a string. Plain numbers count as strings (`instance: 2`); null, booleans,
  /// lists and mappings do not.
  /// - Returns: The text, or nil (reported).
  func string(_ node: YAMLNode, at path: ManifestKeyPath, what: String = "a string") -> String? {
    guard let scalar = node.scalar, scalar.kind == .string else {
      reportType(expected: what, found: node, path)
      return nil
    }
    return scalar.text
  }

  /// Reads a non-empty string.
  /// - Returns: The text, or nil (reported).
  func nonEmptyString(_ node: YAMLNode, at path: ManifestKeyPath, what: String) -> String? {
    guard let text = string(node, at: path, what: what) else { return nil }
    if text.isEmpty {
      report("expected \(what), found an empty string", at: node.location, path)
      return nil
    }
    return text
  }

  /// Reads a boolean: plain `true` or `false` only.
  /// - Returns: The value, or nil (reported).
  func boolean(_ node: YAMLNode, at path: ManifestKeyPath) -> Bool? {
    guard case .boolean(let value)? = node.scalar?.kind else {
      if let scalar = node.scalar, scalar.kind == .string {
        let quoted = node.scalar?.text == "true" || node.scalar?.text == "false"
        let note = quoted ? " (write it without quotes)" : ""
        report(
          "expected true or false, found '\(scalar.text)'\(note)", at: node.location, path)
      } else {
        reportType(expected: "true or false", found: node, path)
      }
      return nil
    }
    return value
  }

  /// Reads a list.
  /// - Returns: The items with their key paths, or nil (reported).
  func sequence(_ node: YAMLNode, at path: ManifestKeyPath, what: String) -> [(
    node: YAMLNode, path: ManifestKeyPath
  )]? {
    guard case .sequence(let items) = node.content else {
      reportType(expected: what, found: node, path)
      return nil
    }
    return items.enumerated().map { (node: $1, path: path.appending(index: $0)) }
  }

  /// Reads a path and resolves it with `PathRules.resolve`.
  /// - Parameters:
  ///   - base: The directory relative paths are taken against.
  /// - Returns: The resolved absolute path, or nil (reported).
  func path(_ node: YAMLNode, at path: ManifestKeyPath, against base: String?) -> String? {
    guard let text = string(node, at: path, what: "a path") else { return nil }
    switch PathRules.resolve(text, against: base) {
    case .success(let resolved):
      return resolved
    case .failure(let violation):
      report(violation.description, at: node.location, path)
      return nil
    }
  }

  /// Reads a list of paths, each resolved against `base`; items that fail are
  /// reported and left out.
  /// - Returns: The resolved paths with where each was written, or nil (reported)
  ///   when the node is not a list.
  func pathList(_ node: YAMLNode, at path: ManifestKeyPath, against base: String?) -> [(
    path: String, location: SourceLocation, keyPath: ManifestKeyPath
  )]? {
    guard let items = sequence(node, at: path, what: "a list of paths") else { return nil }
    return items.compactMap { item in
      self.path(item.node, at: item.path, against: base).map {
        (path: $0, location: item.node.location, keyPath: item.path)
      }
    }
  }
}
