/// A scalar's text and what it resolves to.
///
/// Resolution follows the YAML 1.2 core schema, narrowed: only plain `true` and
/// `false` are booleans (not `True`, `yes` or `on`), so a typo never flips a switch.
/// Numbers stay text because every number a manifest holds (an instance name, an id)
/// is used as text.
struct YAMLScalar: Hashable, Sendable {
  /// What a scalar means once resolved.
  enum Kind: Hashable, Sendable {
    /// `~`, `null`, or nothing at all (`key:` with no value).
    case null
    case boolean(Bool)
    /// Anything else, including numbers and every quoted scalar.
    case string
  }

  /// The scalar exactly as written, after YAML unescaping.
  var text: String
  var kind: Kind

  /// Resolves `text`; `isPlain` is false for quoted, block or explicitly tagged
  /// scalars, which are always strings.
  init(text: String, isPlain: Bool) {
    self.text = text
    guard isPlain else {
      kind = .string
      return
    }
    switch text {
    case "", "~", "null", "Null", "NULL": kind = .null
    case "true": kind = .boolean(true)
    case "false": kind = .boolean(false)
    default: kind = .string
    }
  }

  /// How an operator would describe the value, for "expected X, found Y".
  var kindDescription: String {
    switch kind {
    case .null: return "nothing (null)"
    case .boolean(let value): return "the boolean \(value)"
    case .string: return "'\(text)'"
    }
  }
}
