/// Why a YAML file could not be turned into a document tree: a libyaml syntax error,
/// or a document this project refuses (duplicate keys, several documents, too many
/// nodes once aliases are expanded).
struct YAMLParseError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Where the problem was found.
  var location: SourceLocation
  /// What is wrong, in words.
  var message: String

  var description: String { "\(location): \(message)" }
}
