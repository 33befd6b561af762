extension Propagation {
  /// Reads the optional fields of a mountinfo line (`shared:N`, `master:N`,
  /// `unbindable`). Unknown tags such as `propagate_from:N` or `extra:tag`, and tags
  /// with a non-numeric group, are ignored; when a tag repeats, the first one counts.
  ///
  /// - Parameter optionalFields: The fields between the per-mount options and the
  ///   ` - ` separator, separated by spaces or tabs.
  public init(optionalFields: String) {
    self.init()
    for tag in optionalFields.utf8.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }) {
      if let group = Self.group(in: tag, after: "shared:") {
        if sharedGroup == nil { sharedGroup = group }
      } else if let group = Self.group(in: tag, after: "master:") {
        if masterGroup == nil { masterGroup = group }
      } else if tag.elementsEqual("unbindable".utf8) {
        unbindable = true
      }
    }
  }

  private static func group(in tag: Substring.UTF8View, after prefix: StaticString) -> Int? {
    let prefixBytes = UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount)
    guard tag.starts(with: prefixBytes) else { return nil }
    return Int(Substring(tag.dropFirst(prefixBytes.count)))
  }
}
