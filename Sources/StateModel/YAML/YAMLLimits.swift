/// Bounds on what one YAML document may expand to.
///
/// Aliases let a few hundred bytes name billions of nodes ("billion laughs"); these
/// bounds make the parser refuse such a document, with a location, before expanding
/// it. Legitimate configs and manifests stay far below them.
struct YAMLLimits: Hashable, Sendable {
  /// Most nodes (scalars, keys, lists, mappings) a document may hold once every
  /// alias is expanded.
  var maximumNodes: Int
  /// Most aliases that may be nested inside one another (an alias to a node that
  /// itself contains an alias is depth 2).
  var maximumAliasDepth: Int
  /// Most lists and mappings that may be nested inside one another; bounds the
  /// recursion of everything that walks the tree.
  var maximumNesting: Int

  /// The bounds used for site configs and manifests.
  static let standard = YAMLLimits(maximumNodes: 10_000, maximumAliasDepth: 8, maximumNesting: 64)
}
