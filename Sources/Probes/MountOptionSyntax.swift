/// Splitting and unescaping of mount option strings, on raw bytes so that no
/// intermediate Strings are built.
enum MountOptionSyntax {
  /// Splits an option string on commas outside `"..."`, as libmount's `optstr.c` does
  /// (a backslash is not special; quotes stay in the option, e.g. SELinux
  /// `context="...:c314,c894"` stays whole). Empty items are dropped.
  ///
  /// - Parameters:
  ///   - bytes: The option string as it appears in mountinfo.
  ///   - unescape: Octal-unescape each option after splitting. Splitting first is
  ///     what keeps an escaped comma (`\054`) inside its option.
  static func split(_ bytes: UnsafeBufferPointer<UInt8>, unescape: Bool) -> [String] {
    var options: [String] = []
    // Reserving up front avoids regrowing the array: a measurable share of a large table.
    var commas = 0
    for byte in bytes where byte == UInt8(ascii: ",") { commas += 1 }
    options.reserveCapacity(commas + 1)
    var start = 0
    var quoted = false
    for index in 0...bytes.count {
      if index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "\"") { quoted.toggle() }
        if byte != UInt8(ascii: ",") || quoted { continue }
      }
      if index > start {
        let item = UnsafeBufferPointer(rebasing: bytes[start..<index])
        options.append(unescape ? octalUnescaped(item) : String(decoding: item, as: UTF8.self))
      }
      start = index + 1
    }
    return options
  }

  /// Decodes the kernel's `\NNN` escapes: a backslash followed by exactly three octal
  /// digits (at most `\377`, one byte) becomes that byte. Anything else, including a
  /// lone backslash, stays as it is. Invalid UTF-8 is repaired with U+FFFD.
  static func octalUnescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
    guard bytes.contains(UInt8(ascii: "\\")) else {
      return String(decoding: bytes, as: UTF8.self)
    }
    var decoded: [UInt8] = []
    decoded.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
      if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count,
        let value = octalByte(bytes[index + 1], bytes[index + 2], bytes[index + 3])
      {
        decoded.append(value)
        index += 4
      } else {
        decoded.append(bytes[index])
        index += 1
      }
    }
    return String(decoding: decoded, as: UTF8.self)
  }

  /// Octal-unescapes a String (see the byte version).
  static func octalUnescaped(_ text: String) -> String {
    var text = text
    return text.withUTF8 { octalUnescaped($0) }
  }

  private static func octalByte(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8? {
    let zero = UInt8(ascii: "0")
    guard (zero...zero + 3).contains(a), (zero...zero + 7).contains(b),
      (zero...zero + 7).contains(c)
    else { return nil }
    return (a - zero) << 6 | (b - zero) << 3 | (c - zero)
  }
}
