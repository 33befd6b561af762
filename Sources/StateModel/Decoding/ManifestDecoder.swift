/// Reads typed values out of a `YAMLNode` tree and collects every problem it meets as
/// a located `ManifestIssue`, so one pass reports them all.
///
/// Each reader returns nil after reporting why it could not produce a value; callers
/// carry on with the next field instead of stopping.
final class ManifestDecoder {
  /// The file being decoded, named in every issue.
  let file: String
  /// The instance the file belongs to, or nil for the site config.
  let instance: String?
  /// Every problem reported so far, in the order found.
  private(set) var issues: [ManifestIssue] = []

  init(file: String, instance: String?) {
    self.file = file
    self.instance = instance
  }

  /// Records a problem at `location`.
  func report(_ message: String, at location: SourceLocation, _ path: ManifestKeyPath) {
    issues.append(
      ManifestIssue(
        location: location, instance: instance, keyPath: path.description, message: message))
  }

  /// Records a YAML syntax or structure error; it concerns the whole document.
  func report(_ error: YAMLParseError) {
    report(error.message, at: error.location, .document)
  }

  /// Records that `found` is not the kind of value `expected` describes.
  func reportType(expected: String, found node: YAMLNode, _ path: ManifestKeyPath) {
    report("expected \(expected), found \(node.kindDescription)", at: node.location, path)
  }

  /// Reads a mapping, reporting every key not in `allowedKeys`.
  /// - Parameters:
  ///   - node: The node that should be a mapping.
  ///   - path: Where the node sits.
  ///   - what: How to describe the mapping in a type error, e.g. "a mount".
  ///   - allowedKeys: The keys this mapping may hold, in the order to list them.
  ///   - unknownKeyMessage: A more specific message for some unknown keys; nil falls
  ///     back to a "did you mean" suggestion.
  /// - Returns: The mapping, or nil (reported) when the node is not a mapping.
  func mapping(
    _ node: YAMLNode, at path: ManifestKeyPath, what: String, allowedKeys: [String],
    unknownKeyMessage: (String) -> String? = { _ in nil }
  ) -> MappingReader? {
    guard case .mapping(let entries) = node.content else {
      reportType(expected: what, found: node, path)
      return nil
    }
    for entry in entries where !allowedKeys.contains(entry.key) {
      let message =
        unknownKeyMessage(entry.key) ?? Self.unknownKeyMessage(entry.key, allowedKeys: allowedKeys)
      report(message, at: entry.keyLocation, path.appending(entry.key))
    }
    return MappingReader(location: node.location, path: path, entries: entries)
  }

  /// The value under `key`, reporting it missing when absent.
  func required(_ key: String, in mapping: MappingReader) -> YAMLNode? {
    guard let value = mapping[key] else {
      report("missing required key '\(key)'", at: mapping.location, mapping.path.appending(key))
      return nil
    }
    return value
  }

  /// `unknown key 'lowerdir' (did you mean 'lowerdirs'?)`, or the allowed keys when
  /// none is close.
  static func unknownKeyMessage(_ key: String, allowedKeys: [String]) -> String {
    if let suggestion = KeySuggestion.closest(to: key, among: allowedKeys) {
      return "unknown key '\(key)' (did you mean '\(suggestion)'?)"
    }
    return "unknown key '\(key)' (allowed: \(allowedKeys.joined(separator: ", ")))"
  }
}

/// A YAML mapping being decoded, with where it sits.
struct MappingReader {
  /// Where the mapping starts; missing keys are reported here.
  var location: SourceLocation
  var path: ManifestKeyPath
  var entries: [YAMLNode.MappingEntry]

  /// The value under `key`, if present.
  subscript(key: String) -> YAMLNode? {
    entries.first { $0.key == key }?.value
  }

  /// The value under `key`, reporting it to `decoder` as missing when absent.
  func required(_ key: String, _ decoder: ManifestDecoder) -> YAMLNode? {
    decoder.required(key, in: self)
  }

  /// Whether `key` is present, with any value.
  func contains(_ key: String) -> Bool {
    entries.contains { $0.key == key }
  }
}
