/// A libyaml parser event, copied out of C memory into Swift values so that the tree
/// builder is plain Swift and can be reasoned about without the C API.
enum YAMLEvent: Hashable, Sendable {
  case streamStart
  case streamEnd(SourceLocation)
  case documentStart(SourceLocation)
  case documentEnd
  case alias(anchor: String, location: SourceLocation)
  /// `isPlain` is true for an unquoted scalar without a tag.
  case scalar(
    text: String, isPlain: Bool, anchor: String?, tag: String?, location: SourceLocation)
  case sequenceStart(anchor: String?, tag: String?, location: SourceLocation)
  case sequenceEnd
  case mappingStart(anchor: String?, tag: String?, location: SourceLocation)
  case mappingEnd
}
