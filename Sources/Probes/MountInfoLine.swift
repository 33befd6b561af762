/// One raw line of a mountinfo text, classified the way libmount 2.38 reads lines
/// (`mnt_table_parse_next`), so that raw lines and libmount entries can be paired up.
struct MountInfoLine {
  private static let space = UInt8(ascii: " ")
  private static let tab = UInt8(ascii: "\t")

  /// 1-based line number, counting every line as libmount does (blank and `#` ones too).
  let number: Int
  /// Byte offset of the line's first byte in the text.
  let start: Int
  /// Byte offset of its newline, or the text's length for an unterminated last line.
  let end: Int
  /// The line without its newline and one trailing `\r`.
  let text: UnsafeBufferPointer<UInt8>
  /// The text libmount parses: from the first non-blank byte, cut at a NUL byte.
  let content: UnsafeBufferPointer<UInt8>
  /// The line holds a NUL before its newline; libmount rejects such a line.
  let hasEmbeddedNUL: Bool

  /// libmount skips blank lines and lines whose first non-blank byte is `#`.
  var isSkipped: Bool {
    !hasEmbeddedNUL && (content.isEmpty || content[0] == UInt8(ascii: "#"))
  }

  /// libmount guesses the table format from its first content line and reads the whole
  /// text as fstab unless `sscanf(line, "%u %u")` matches. Emulates that match.
  var looksLikeMountInfo: Bool {
    var index = 0
    for _ in 0..<2 {
      while index < content.count, Self.isCSpace(content[index]) { index += 1 }
      if index < content.count,
        content[index] == UInt8(ascii: "+") || content[index] == UInt8(ascii: "-")
      {
        index += 1
      }
      let digits = index
      while index < content.count, Self.isDigit(content[index]) { index += 1 }
      if index == digits { return false }
    }
    return true
  }

  /// The leading mount id, read as libmount's `strtol` does; nil when not a number.
  var leadingID: Int? {
    var index = 0
    var negative = false
    if index < content.count, content[index] == UInt8(ascii: "-") {
      negative = true
      index += 1
    } else if index < content.count, content[index] == UInt8(ascii: "+") {
      index += 1
    }
    var value = 0
    let digits = index
    while index < content.count, Self.isDigit(content[index]) {
      let (next, overflow) = value.multipliedReportingOverflow(by: 10)
      if overflow { return nil }
      value = next + Int(content[index] - UInt8(ascii: "0"))
      index += 1
    }
    return index == digits ? nil : (negative ? -value : value)
  }

  /// The source field (still escaped) and the superblock options (still escaped) of a
  /// line libmount accepted, located with libmount's own steps: six fields, the first
  /// `" - "` after them, the fs type, then the source, which is empty when two spaces
  /// follow the type. Unlike libmount, which keeps only the next field, the options run
  /// to the end of the line: old kernels printed cifs `unc=\\host\a b` unescaped.
  var tailFields: (source: UnsafeBufferPointer<UInt8>, superOptions: UnsafeBufferPointer<UInt8>)? {
    let bytes = content
    var index = 0
    func skipSeparators() {
      while index < bytes.count, bytes[index] == Self.space || bytes[index] == Self.tab {
        index += 1
      }
    }
    func skipField() {
      while index < bytes.count, bytes[index] != Self.space, bytes[index] != Self.tab { index += 1 }
    }
    for _ in 0..<5 {
      skipField()
      skipSeparators()
    }
    skipField()  // per-mount options
    while index + 2 < bytes.count,
      !(bytes[index] == Self.space && bytes[index + 1] == UInt8(ascii: "-")
        && bytes[index + 2] == Self.space)
    {
      index += 1
    }
    guard index + 2 < bytes.count else { return nil }
    index += 3
    skipSeparators()
    skipField()  // fs type
    var sourceStart = index
    if index + 1 < bytes.count, bytes[index] == Self.space, bytes[index + 1] == Self.space {
      // Empty source (kernels before 5.1): libmount does not move past the separator.
    } else {
      skipSeparators()
      sourceStart = index
      skipField()
    }
    let source = UnsafeBufferPointer(rebasing: bytes[sourceStart..<index])
    skipSeparators()
    var end = bytes.count
    while end > index, bytes[end - 1] == Self.space || bytes[end - 1] == Self.tab { end -= 1 }
    return (source, UnsafeBufferPointer(rebasing: bytes[index..<end]))
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  /// C `isspace` in the C locale.
  private static func isCSpace(_ byte: UInt8) -> Bool {
    byte == space || (byte >= 9 && byte <= 13)
  }
}
