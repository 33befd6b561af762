import FoundationEssentials

/// A JSON value for the manifests' schemas, rendered with its object keys in the
/// order given, so the committed schema files read like the decoder's key tables.
indirect enum SchemaValue {
  case string(String)
  case integer(Int)
  case boolean(Bool)
  case array([SchemaValue])
  case object([(key: String, value: SchemaValue)])

  /// Pretty-printed JSON, two spaces per level, ending in a newline at the top.
  func rendered(indent: String = "") -> String {
    let inner = indent + "  "
    switch self {
    case .string(let text): return Self.quoted(text)
    case .integer(let number): return String(number)
    case .boolean(let value): return value ? "true" : "false"
    case .array(let items):
      // Short lists of scalars stay on one line.
      if items.allSatisfy(\.isScalar) {
        return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
      }
      return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n")
        + "\n" + indent + "]"
    case .object(let members):
      if members.isEmpty { return "{}" }
      return "{\n"
        + members.map { inner + Self.quoted($0.key) + ": " + $0.value.rendered(indent: inner) }
        .joined(separator: ",\n") + "\n" + indent + "}"
    }
  }

  private var isScalar: Bool {
    switch self {
    case .string, .integer, .boolean: return true
    case .array, .object: return false
    }
  }

  /// A JSON string literal, escaped by the JSON encoder the reports use.
  private static func quoted(_ text: String) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .withoutEscapingSlashes
    // Encoding a String cannot fail.
    return String(decoding: try! encoder.encode(text), as: UTF8.self)
  }
}
