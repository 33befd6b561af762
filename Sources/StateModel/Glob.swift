/// Shell-style matching of `*` and `?` within path components, enough for lease
/// patterns. Written here rather than calling fnmatch(3) so the planner stays pure
/// and this target free of libc.
public enum Glob {
  /// Whether `text` holds a wildcard, so that it names paths rather than one path.
  public static func hasWildcard<Text: StringProtocol>(_ text: Text) -> Bool {
    text.contains("*") || text.contains("?")
  }

  /// Whether `path` matches `pattern`; neither wildcard matches `/`.
  public static func matches(pattern: String, path: String) -> Bool {
    let p = Array(pattern.utf8)
    let s = Array(path.utf8)
    var pi = 0
    var si = 0
    var starP = -1
    var starS = 0
    let slash = UInt8(ascii: "/")
    while si < s.count {
      if pi < p.count, p[pi] == UInt8(ascii: "?"), s[si] != slash {
        pi += 1
        si += 1
      } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
        starP = pi
        starS = si
        pi += 1
      } else if pi < p.count, p[pi] == s[si] {
        pi += 1
        si += 1
      } else if starP >= 0, s[starS] != slash {
        starS += 1
        si = starS
        pi = starP + 1
      } else {
        return false
      }
    }
    while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
    return pi == p.count
  }
}
