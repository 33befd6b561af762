extension Propagation {
  /// Reads the optional fields of a mountinfo line (`shared:N`, `master:N`,
  /// `unbindable`). Unknown tags such as `propagate_from:N` or `extra:tag`, and tags
  /// with a non-numeric group, are ignored; when a tag repeats, the first one counts.
  ///
  /// - Parameter optionalFields: The fields between the per-mount options and the
  ///   ` - ` separator, separated by spaces or tabs.
  public init(optionalFields: String) {
    var fields = optionalFields
    self = fields.withUTF8 { Propagation(optionalFieldBytes: $0) }
  }

  /// Reads the optional fields from their UTF-8 bytes (see `init(optionalFields:)`).
  init(optionalFieldBytes bytes: UnsafeBufferPointer<UInt8>) {
    self.init()
    for tag in bytes.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) {
      if let group = Self.group(in: tag, after: "shared:") {
        if sharedGroup == nil { sharedGroup = group }
      } else if let group = Self.group(in: tag, after: "master:") {
        if masterGroup == nil { masterGroup = group }
      } else if tag.elementsEqual("unbindable".utf8) {
        unbindable = true
      }
    }
  }

  /// The decimal group after `prefix`, or nil when the tag is something else.
  private static func group(in tag: Slice<UnsafeBufferPointer<UInt8>>, after prefix: StaticString)
    -> Int?
  {
    let prefix = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
    guard tag.count > prefix.count, tag.starts(with: prefix) else { return nil }
    var group = 0
    for byte in tag.dropFirst(prefix.count) {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      let (shifted, overflow) = group.multipliedReportingOverflow(by: 10)
      guard !overflow else { return nil }
      group = shifted + Int(byte - UInt8(ascii: "0"))
    }
    return group
  }
}
