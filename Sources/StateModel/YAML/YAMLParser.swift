import CYAML

/// Parses YAML text into one `YAMLNode` tree through the system libyaml.
///
/// libyaml checks the syntax and reports each event with its position; everything
/// above syntax (one document, string keys, no duplicates, bounded aliases) is left to
/// `YAMLTreeBuilder`.
enum YAMLParser {
  /// Parses `text`, naming `file` in every location.
  /// - Parameters:
  ///   - text: The whole file.
  ///   - file: The path to report in locations.
  ///   - limits: Bounds on alias expansion and nesting.
  /// - Returns: The document's root node.
  /// - Throws: `YAMLParseError` at the first problem: a libyaml syntax error with its
  ///   problem text, or a broken rule of `YAMLTreeBuilder`.
  static func parse(_ text: String, file: String, limits: YAMLLimits = .standard)
    throws(YAMLParseError) -> YAMLNode
  {
    // A trailing NUL that libyaml is not told about keeps the buffer non-empty:
    // libyaml asserts on a null input pointer, which an empty array may give.
    let bytes = Array(text.utf8) + [0]
    let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    defer { parser.deallocate() }
    guard yaml_parser_initialize(parser) == 1 else {
      throw YAMLParseError(
        location: SourceLocation(file: file, line: 0, column: 0),
        message: "libyaml could not allocate a parser")
    }
    defer { yaml_parser_delete(parser) }

    var builder = YAMLTreeBuilder(limits: limits)
    try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLParseError) in
      yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count - 1)
      yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
      var event = yaml_event_t()
      while true {
        guard yaml_parser_parse(parser, &event) == 1 else {
          throw syntaxError(parser.pointee, bytes: buffer, file: file)
        }
        defer { yaml_event_delete(&event) }
        let isStreamEnd = event.type == YAML_STREAM_END_EVENT
        try builder.consume(swiftEvent(event, file: file))
        if isStreamEnd { break }
      }
    }
    guard let root = builder.root else {
      // The builder refuses a stream without a document, so a root always exists here.
      fatalError("YAML stream ended without a document")
    }
    return root
  }

  /// Copies a libyaml event into Swift values.
  private static func swiftEvent(_ event: yaml_event_t, file: String) -> YAMLEvent {
    let location = sourceLocation(event.start_mark, file: file)
    switch event.type {
    case YAML_STREAM_START_EVENT:
      return .streamStart
    case YAML_STREAM_END_EVENT:
      return .streamEnd(location)
    case YAML_DOCUMENT_START_EVENT:
      return .documentStart(location)
    case YAML_ALIAS_EVENT:
      return .alias(anchor: string(event.data.alias.anchor) ?? "", location: location)
    case YAML_SCALAR_EVENT:
      let scalar = event.data.scalar
      let text = scalar.value.map {
        String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
      }
      return .scalar(
        text: text ?? "", isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE,
        anchor: string(scalar.anchor), tag: string(scalar.tag), location: location)
    case YAML_SEQUENCE_START_EVENT:
      let start = event.data.sequence_start
      return .sequenceStart(
        anchor: string(start.anchor), tag: string(start.tag), location: location)
    case YAML_SEQUENCE_END_EVENT:
      return .sequenceEnd
    case YAML_MAPPING_START_EVENT:
      let start = event.data.mapping_start
      return .mappingStart(anchor: string(start.anchor), tag: string(start.tag), location: location)
    case YAML_MAPPING_END_EVENT:
      return .mappingEnd
    default:
      // YAML_DOCUMENT_END_EVENT; YAML_NO_EVENT never comes from a successful parse.
      return .documentEnd
    }
  }

  /// Builds the error for a failed `yaml_parser_parse`, with libyaml's own words.
  private static func syntaxError(
    _ parser: yaml_parser_t, bytes: UnsafeBufferPointer<UInt8>, file: String
  ) -> YAMLParseError {
    let problem = parser.problem.map { String(cString: $0) } ?? "unknown libyaml error"
    if parser.error == YAML_READER_ERROR {
      // Reader errors (bad encoding, control characters) carry a byte offset, not a mark.
      return YAMLParseError(
        location: location(ofByte: parser.problem_offset, in: bytes, file: file),
        message: "YAML syntax error: \(problem)")
    }
    var message = "YAML syntax error: \(problem)"
    if let context = parser.context {
      let start = sourceLocation(parser.context_mark, file: file)
      message +=
        " (\(String(cString: context)) that starts at line \(start.line), "
        + "column \(start.column))"
    }
    return YAMLParseError(
      location: sourceLocation(parser.problem_mark, file: file), message: message)
  }

  /// libyaml counts lines and columns from 0; editors and compilers from 1.
  private static func sourceLocation(_ mark: yaml_mark_t, file: String) -> SourceLocation {
    SourceLocation(file: file, line: mark.line + 1, column: mark.column + 1)
  }

  /// The 1-based line and column of a byte offset, counting columns in characters.
  private static func location(
    ofByte offset: Int, in bytes: UnsafeBufferPointer<UInt8>, file: String
  ) -> SourceLocation {
    var line = 1
    var column = 1
    for byte in bytes.prefix(offset) {
      if byte == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
    }
    return SourceLocation(file: file, line: line, column: column)
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    pointer.map { String(cString: $0) }
  }
}
