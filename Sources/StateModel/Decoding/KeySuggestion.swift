/// Finds the allowed key an operator most likely meant when they wrote an unknown one,
/// for messages like `unknown key 'lowerdir' (did you mean 'lowerdirs'?)`.
enum KeySuggestion {
  /// The closest allowed key, or nil when none is close enough to be a likely typo.
  static func closest(to key: String, among allowed: [String]) -> String? {
    // snake_case and camelCase spellings of a kebab-case key are the commonest slip.
    let kebab = kebabCase(key)
    if kebab != key, allowed.contains(kebab) { return kebab }
    let limit = key.count <= 4 ? 1 : 2
    let scored = allowed.map { (key: $0, distance: editDistance(key, $0)) }
    guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit
    else { return nil }
    return best.key
  }

  /// `lowerdir_roots` and `lowerdirRoots` both become `lowerdir-roots`.
  private static func kebabCase(_ key: String) -> String {
    var result = ""
    for character in key {
      if character == "_" {
        result.append("-")
      } else if character.isUppercase {
        if !result.isEmpty { result.append("-") }
        result.append(contentsOf: character.lowercased())
      } else {
        result.append(character)
      }
    }
    return result
  }

  /// Levenshtein distance over characters.
  private static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count)
    for i in 1...a.count {
      var current = [i] + Array(repeating: 0, count: b.count)
      for j in stride(from: 1, through: b.count, by: 1) {
        let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
        current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
      }
      previous = current
    }
    return previous[b.count]
  }
}
