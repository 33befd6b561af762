extension OverlayLayers {
  /// Decodes the layers from an overlay mount's superblock options, as `MountEntry`
  /// holds them (split on commas, then octal-unescaped).
  ///
  /// - Legacy `lowerdir=a:b::c` is shown as the user wrote it, with overlay's own
  ///   backslash escapes: split on `:` not preceded by a backslash, `::` starts the
  ///   data-only layers, then each layer loses its backslash escapes (`\x` is `x`).
  /// - `lowerdir+=` and `datadir+=` (6.8+) name one layer each, without escapes.
  /// - `upperdir=` and `workdir=` carry overlay escapes too: the kernel keeps the
  ///   string as given and unescapes it only to look the path up.
  ///
  /// - Parameter superOptions: The superblock options of an overlay mount.
  public init(superOptions: [String]) {
    var lowerdirs: [String] = []
    var dataLowerdirs: [String] = []
    var upperdir: String?
    var workdir: String?
    for option in superOptions {
      if let value = Self.value(of: option, key: "lowerdir+=") {
        lowerdirs.append(value)
      } else if let value = Self.value(of: option, key: "datadir+=") {
        dataLowerdirs.append(value)
      } else if let value = Self.value(of: option, key: "lowerdir=") {
        let legacy = Self.splitLegacyLowerdir(value)
        lowerdirs += legacy.lower
        dataLowerdirs += legacy.data
      } else if let value = Self.value(of: option, key: "upperdir=") {
        upperdir = Self.overlayUnescaped(value)
      } else if let value = Self.value(of: option, key: "workdir=") {
        workdir = Self.overlayUnescaped(value)
      }
    }
    self.init(
      lowerdirs: lowerdirs, dataLowerdirs: dataLowerdirs, upperdir: upperdir, workdir: workdir)
  }

  private static func value(of option: String, key: String) -> String? {
    option.hasPrefix(key) ? String(option.dropFirst(key.count)) : nil
  }

  /// Splits a legacy `lowerdir=` value the way overlayfs does
  /// (`ovl_parse_param_split_lowerdirs`): a backslash protects the next character,
  /// `:` separates layers, and the empty layer of `::` switches to data-only layers.
  static func splitLegacyLowerdir(_ value: String) -> (lower: [String], data: [String]) {
    var lower: [String] = []
    var data: [String] = []
    var inData = false
    // Unicode scalars, not Characters: a backslash must not merge with a combining mark.
    var layer = String.UnicodeScalarView()
    var iterator = value.unicodeScalars.makeIterator()
    func finishLayer() {
      if layer.isEmpty {
        inData = true  // the empty layer between the colons of `::`
      } else if inData {
        data.append(overlayUnescaped(String(layer)))
      } else {
        lower.append(overlayUnescaped(String(layer)))
      }
      layer = String.UnicodeScalarView()
    }
    while let scalar = iterator.next() {
      if scalar == "\\" {
        layer.append(scalar)
        if let escaped = iterator.next() { layer.append(escaped) }
      } else if scalar == ":" {
        finishLayer()
      } else {
        layer.append(scalar)
      }
    }
    if !layer.isEmpty { finishLayer() }
    return (lower, data)
  }

  /// Removes overlay's backslash escapes (`ovl_unescape`): `\x` becomes `x`, and a
  /// trailing lone backslash is dropped.
  static func overlayUnescaped(_ value: String) -> String {
    guard value.utf8.contains(UInt8(ascii: "\\")) else { return value }
    var result = String.UnicodeScalarView()
    var escaping = false
    for scalar in value.unicodeScalars {
      if !escaping && scalar == "\\" {
        escaping = true
      } else {
        result.append(scalar)
        escaping = false
      }
    }
    return String(result)
  }
}
