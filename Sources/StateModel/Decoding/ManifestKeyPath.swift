/// Where a value sits in a YAML document, written as operators read it:
/// `mounts[1].lowerdirs[0]`; empty for the document itself.
struct ManifestKeyPath: Hashable, Sendable, CustomStringConvertible {
  /// One step down into the document.
  enum Component: Hashable, Sendable {
    case key(String)
    case index(Int)
  }

  var components: [Component] = []

  /// The document itself.
  static let document = ManifestKeyPath()

  /// This path followed by a mapping key.
  func appending(_ key: String) -> ManifestKeyPath {
    ManifestKeyPath(components: components + [.key(key)])
  }

  /// This path followed by a list index.
  func appending(index: Int) -> ManifestKeyPath {
    ManifestKeyPath(components: components + [.index(index)])
  }

  var description: String {
    var text = ""
    for component in components {
      switch component {
      case .key(let key): text += text.isEmpty ? key : ".\(key)"
      case .index(let index): text += "[\(index)]"
      }
    }
    return text
  }
}
