/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with where
/// it starts in the file.
///
/// Aliases are already expanded: an `*alias` appears as a copy of the node its anchor
/// named, so decoders never see anchors.
struct YAMLNode: Hashable, Sendable {
  /// What the node holds.
  enum Content: Hashable, Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    /// Entries in file order; keys are unique (the parser refuses duplicates).
    case mapping([MappingEntry])
  }

  /// One `key: value` pair of a mapping. Keys are always strings.
  struct MappingEntry: Hashable, Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: YAMLNode
  }

  var content: Content
  /// Where the node starts: the first character of a scalar, or the `[`, `{` or first
  /// item of a collection.
  var location: SourceLocation

  /// The scalar, if this node is one.
  var scalar: YAMLScalar? {
    if case .scalar(let scalar) = content { return scalar }
    return nil
  }

  /// How an operator would describe what was found, for "expected X, found Y".
  var kindDescription: String {
    switch content {
    case .scalar(let scalar): return scalar.kindDescription
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    }
  }
}
