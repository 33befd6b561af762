extension MountInfoLine {
  /// The target field (still escaped) when the line has exactly the form the kernel
  /// writes (`show_mountinfo`): `ID PARENT MAJ:MIN ROOT TARGET OPTIONS [TAG...] - TYPE
  /// SOURCE SUPEROPTIONS`, single spaces, ids of at most nine digits, every field
  /// non-empty, no byte below 0x21 inside a field. Nil otherwise.
  ///
  /// Every line of that form is one libmount accepts, so a line outside an
  /// observation's scope that has it may be left unparsed; any other line goes to
  /// libmount, which decides whether it is malformed. One pass, no allocation.
  var kernelFormedTarget: UnsafeBufferPointer<UInt8>? {
    let bytes = text
    // The text libmount parses is the whole line: no leading blank, no NUL.
    guard !hasEmbeddedNUL, content.count == bytes.count, let base = bytes.baseAddress else { return nil }
    let count = bytes.count
    var index = 0
    let space = UInt8(ascii: " ")
    /// A field of at least one byte above the space; `index` ends on what follows.
    func field() -> Bool {
      let start = index
      while index < count, base[index] > space { index += 1 }
      return index > start
    }
    func separator() -> Bool {
      guard index < count, base[index] == space else { return false }
      index += 1
      return true
    }
    func number(stoppingAt stop: UInt8) -> Bool {
      let start = index
      while index < count, base[index] >= UInt8(ascii: "0"), base[index] <= UInt8(ascii: "9") { index += 1 }
      let digits = index - start
      return digits > 0 && digits <= 9 && index < count && base[index] == stop
    }
    guard number(stoppingAt: space), separator(), number(stoppingAt: space), separator(),
      number(stoppingAt: UInt8(ascii: ":"))
    else { return nil }
    index += 1
    guard number(stoppingAt: space), separator(), field(), separator() else { return nil }
    let targetStart = index
    guard field() else { return nil }
    let target = UnsafeBufferPointer(start: base + targetStart, count: index - targetStart)
    guard separator(), field() else { return nil }  // per-mount options
    // Optional fields up to the first lone `-`: libmount's strstr(" - ").
    while true {
      guard separator() else { return nil }
      let start = index
      guard field() else { return nil }
      if index - start == 1 && base[start] == UInt8(ascii: "-") { break }
    }
    guard separator(), field(), separator(), field(), separator(), field(), index == count else { return nil }
    return target
  }
}
