/// Turns mountinfo text (`proc_pid_mountinfo(5)`) into a `MountTable` through libmount.
///
/// libmount reads every field except the superblock options: libmount 2.38 unescapes
/// those before anyone can split them on commas, so an overlay `lowerdir+=/a\054b`
/// would become two options. The parser therefore takes those options from the raw
/// line: it splits on commas first, then unescapes each option. The source comes from
/// the raw line too, because libmount 2.38 replaces a `/dev/root` source with a device
/// it looks up in this host's /sys, which is wrong for a table saved elsewhere.
public enum MountInfoParser {
  /// Parses a whole mountinfo text.
  ///
  /// Lines that are not valid mountinfo are skipped and listed; blank lines and lines
  /// starting with `#` are ignored, as libmount ignores them.
  ///
  /// - Parameters:
  ///   - text: The contents of a mountinfo file.
  ///   - sourceName: A name for the text, passed to libmount for its messages.
  /// - Returns: The table, the skipped lines, and whether libmount stopped early.
  public static func parse(_ text: String, sourceName: String = "mountinfo") -> MountInfoParseResult {
    var text = text
    return text.withUTF8 { parse(bytes: $0, sourceName: sourceName) }
  }

  /// Parses mountinfo bytes (see `parse(_:sourceName:)`).
  static func parse(bytes text: UnsafeBufferPointer<UInt8>, sourceName: String)
    -> MountInfoParseResult
  {
    var malformed: [MalformedMountInfoLine] = []
    // libmount reads the whole text as fstab unless its first content line starts with
    // two numbers; lines before such a line are reported here and never reach it.
    var reader = MountInfoLineReader(text)
    var firstLine: MountInfoLine?
    while let line = reader.next() {
      if line.isSkipped { continue }
      if !line.hasEmbeddedNUL && line.looksLikeMountInfo {
        firstLine = line
        break
      }
      malformed.append(Self.malformed(line))
    }
    guard let firstLine else {
      return MountInfoParseResult(table: MountTable(entries: []), malformedLines: malformed)
    }
    let table = LibMountTable(
      parsing: UnsafeBufferPointer(rebasing: text[firstLine.start...]), sourceName: sourceName)

    // Pair raw lines with libmount's entries: libmount numbers every line it reads
    // (blank and comment ones too), names the ones it rejects through its error
    // callback, and keeps the others in order. So the content lines it did not reject
    // are its entries, one for one; each pair is checked by mount id.
    let offset = firstLine.number - 1
    var rejected = table.rejectedLines.makeIterator()
    var nextRejected = rejected.next().map { $0 + offset }
    reader = MountInfoLineReader(text, from: firstLine)
    func nextKeptLine() -> MountInfoLine? {
      while let line = reader.next() {
        if line.isSkipped { continue }
        guard line.number == nextRejected else { return line }
        malformed.append(Self.malformed(line))
        nextRejected = rejected.next().map { $0 + offset }
      }
      return nil
    }
    var entries: [MountEntry] = []
    entries.reserveCapacity(table.count)
    table.consumeEntries { fs in
      entries.append(Self.entry(fs, raw: nextKeptLine()))
    }
    while nextKeptLine() != nil {}  // report rejected lines after the last entry
    return MountInfoParseResult(
      table: MountTable(entries: entries), malformedLines: malformed,
      failureErrno: table.failureErrno, libmountFailure: table.loadFailure)
  }

  /// Parses the lines of mountinfo bytes that `scope` wants (see `parse(_:sourceName:)`).
  ///
  /// Every line is still checked: one in the kernel's exact form
  /// (`MountInfoLine.kernelFormedTarget`) whose target is outside the scope is dropped
  /// after a byte comparison; every other line, wanted or odd, goes to libmount as
  /// before, which parses it or names it malformed. Line numbers in the result are
  /// those of the whole text.
  static func parse(
    bytes text: UnsafeBufferPointer<UInt8>, sourceName: String, scope: MountTableScope
  ) -> MountInfoParseResult {
    guard !scope.isWhole else { return parse(bytes: text, sourceName: sourceName) }
    var kept: [UInt8] = []
    var numbers: [Int] = []
    var reader = MountInfoLineReader(text)
    while let line = reader.next() {
      if line.isSkipped { continue }
      if let target = line.kernelFormedTarget, !scope.keeps(target: target) { continue }
      // The line as it was, newline and all, so that libmount reads the same bytes.
      kept.append(contentsOf: UnsafeBufferPointer(rebasing: text[line.start..<line.end]))
      if line.end < text.count { kept.append(UInt8(ascii: "\n")) }
      numbers.append(line.number)
    }
    var result = kept.withUnsafeBufferPointer { parse(bytes: $0, sourceName: sourceName) }
    for index in result.malformedLines.indices {
      result.malformedLines[index].number = numbers[result.malformedLines[index].number - 1]
    }
    return result
  }

  private static func entry(_ fs: LibMountFS, raw: MountInfoLine?) -> MountEntry {
    let id = fs.id
    let source: String
    let superOptions: [String]
    // Should the pairing ever slip, libmount's own (ambiguous) fields beat a wrong line.
    if let raw, raw.leadingID == id, let fields = raw.tailFields {
      source = MountOptionSyntax.octalUnescaped(fields.source)
      superOptions = MountOptionSyntax.split(fields.superOptions, unescape: true)
    } else {
      source = fs.source
      superOptions = fs.fsOptions
    }
    let fsType = fs.fsType
    let device = fs.device
    return MountEntry(
      id: id, parentID: fs.parentID, major: device.major, minor: device.minor,
      root: fs.root, target: fs.target, fsType: fsType, source: source,
      mountOptions: fs.vfsOptions, superOptions: superOptions, propagation: fs.propagation,
      overlay: fsType == "overlay" ? OverlayLayers(superOptions: superOptions) : nil)
  }

  private static func malformed(_ line: MountInfoLine) -> MalformedMountInfoLine {
    MalformedMountInfoLine(number: line.number, text: String(decoding: line.text, as: UTF8.self))
  }
}
