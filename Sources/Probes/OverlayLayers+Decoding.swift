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
    var layers = OverlayLayers(lowerdirs: [], upperdir: nil, workdir: nil)
    for option in superOptions {
      if option.utf8.withContiguousStorageIfAvailable({ layers.add(option: $0) }) == nil {
        var copy = option  // a bridged or otherwise non-contiguous String
        copy.withUTF8 { layers.add(option: $0) }
      }
    }
    self = layers
  }

  private mutating func add(option bytes: UnsafeBufferPointer<UInt8>) {
    if let value = Self.value(of: bytes, key: "lowerdir+=") {
      lowerdirs.append(String(decoding: value, as: UTF8.self))
    } else if let value = Self.value(of: bytes, key: "datadir+=") {
      dataLowerdirs.append(String(decoding: value, as: UTF8.self))
    } else if let value = Self.value(of: bytes, key: "lowerdir=") {
      let legacy = Self.splitLegacyLowerdir(value)
      lowerdirs += legacy.lower
      dataLowerdirs += legacy.data
    } else if let value = Self.value(of: bytes, key: "upperdir=") {
      upperdir = Self.overlayUnescaped(value)
    } else if let value = Self.value(of: bytes, key: "workdir=") {
      workdir = Self.overlayUnescaped(value)
    }
  }

  private static func value(
    of option: UnsafeBufferPointer<UInt8>, key: StaticString
  ) -> UnsafeBufferPointer<UInt8>? {
    let key = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
    guard option.starts(with: key) else { return nil }
    return UnsafeBufferPointer(rebasing: option[key.count...])
  }

  /// Splits a legacy `lowerdir=` value the way overlayfs does
  /// (`ovl_parse_param_split_lowerdirs`, then `ovl_unescape` per layer): a backslash
  /// protects the next byte and is dropped, `:` separates layers, and the empty layer
  /// of `::` switches to data-only layers.
  static func splitLegacyLowerdir(_ value: UnsafeBufferPointer<UInt8>) -> (
    lower: [String], data: [String]
  ) {
    var lower: [String] = []
    var data: [String] = []
    var inData = false
    var layer: [UInt8] = []
    var rawLength = 0  // bytes of the segment before unescaping; 0 only between `::`
    func finishLayer() {
      if rawLength == 0 {
        inData = true
      } else if inData {
        data.append(String(decoding: layer, as: UTF8.self))
      } else {
        lower.append(String(decoding: layer, as: UTF8.self))
      }
      layer.removeAll(keepingCapacity: true)
      rawLength = 0
    }
    var index = 0
    while index < value.count {
      let byte = value[index]
      if byte == UInt8(ascii: "\\") {
        if index + 1 < value.count { layer.append(value[index + 1]) }
        rawLength += 2
        index += 2
      } else if byte == UInt8(ascii: ":") {
        finishLayer()
        index += 1
      } else {
        layer.append(byte)
        rawLength += 1
        index += 1
      }
    }
    if rawLength > 0 { finishLayer() }
    return (lower, data)
  }

  /// Splits a legacy `lowerdir=` value (see the byte version).
  static func splitLegacyLowerdir(_ value: String) -> (lower: [String], data: [String]) {
    var value = value
    return value.withUTF8 { splitLegacyLowerdir($0) }
  }

  /// Removes overlay's backslash escapes (`ovl_unescape`): `\x` becomes `x`, and a
  /// trailing lone backslash is dropped.
  static func overlayUnescaped(_ value: UnsafeBufferPointer<UInt8>) -> String {
    guard value.contains(UInt8(ascii: "\\")) else { return String(decoding: value, as: UTF8.self) }
    var result: [UInt8] = []
    result.reserveCapacity(value.count)
    var index = 0
    while index < value.count {
      if value[index] == UInt8(ascii: "\\") { index += 1 }
      if index < value.count { result.append(value[index]) }
      index += 1
    }
    return String(decoding: result, as: UTF8.self)
  }
}
