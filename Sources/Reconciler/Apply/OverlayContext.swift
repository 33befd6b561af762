import CMountShims
import Glibc
import SystemPackage

/// Makes a detached overlay mount from layers already opened beneath their roots, by
/// the best means the kernel has:
///
/// - 6.13+: `fsopen`/`fsconfig(FSCONFIG_SET_FD)`/`fsmount`, the fds themselves;
/// - 6.8 to 6.12: `fsconfig(SET_STRING, "lowerdir+")`, and before 6.8 `mount(2)` data,
///   both with the paths pinned to the fds (`rcs_overlay_pinned`): in a private root
///   where each path leads to its fd and nowhere else, so a swap for a symlink after
///   the check cannot redirect the kernel, and mountinfo shows the paths as given.
enum OverlayContext {
  static func withLayerFDs(
    _ overlay: ResolvedOverlay, _ layers: OverlayLayers, path: String
  ) -> Result<Int32, MountSystemError> {
    let fs: Int32
    switch valueOrErrno({ system_fsopen("overlay") }) {
    case .success(let fd): fs = fd
    case .failure(let error): return .failure(MountSystemError(call: "fsopen overlay", path: path, errno: error))
    }
    defer { system_close(fs) }
    if case .failure(let error) = valueOrErrno({ system_fsconfig(fs, RCS_FSCONFIG_SET_STRING, "source", "reconcile") }) {
      return .failure(MountSystemError(call: "fsconfig source", path: path, errno: error, detail: contextMessages(fs)))
    }
    var settings = zip(overlay.lowerdirs, layers.lowers).map { ("lowerdir+", $0.0, $0.1) }
    if let upper = layers.upper, let upperPath = overlay.upperdir { settings.append(("upperdir", upperPath, upper)) }
    if let work = layers.work, let workPath = overlay.workdir { settings.append(("workdir", workPath, work)) }
    for (key, layerPath, fd) in settings {
      if case .failure(let error) = valueOrErrno({ system_fsconfig_fd(fs, key, fd) }) {
        return .failure(MountSystemError(
          call: "fsconfig \(key) (fd)", path: layerPath, errno: error, detail: contextMessages(fs)))
      }
    }
    if case .failure(let error) = valueOrErrno({ system_fsconfig(fs, RCS_FSCONFIG_CMD_CREATE, nil, nil) }) {
      return .failure(MountSystemError(
        call: "fsconfig create overlay", path: path, errno: error, detail: contextMessages(fs)))
    }
    let attributes = overlay.readOnly ? UInt32(RCS_MOUNT_ATTR_RDONLY) : 0
    return valueOrErrno { system_fsmount(fs, attributes) }
      .mapError { MountSystemError(call: "fsmount", path: path, errno: $0, detail: contextMessages(fs)) }
  }

  /// The overlay with its paths pinned to the layer fds; `lowerdirPlus` says whether
  /// overlayfs parses `lowerdir+` (6.8+), else it gets `mount(2)` data (one page).
  static func pinned(
    _ overlay: ResolvedOverlay, _ layers: OverlayLayers, lowerdirPlus: Bool, path: String
  ) -> Result<Int32, MountSystemError> {
    var pinList: [(path: String, fd: Int32, recursive: Bool)] = zip(overlay.lowerdirs, layers.lowers).map { ($0.0, $0.1, false) }
    if let parent = layers.upperWorkParent { pinList.append((parent.path, parent.fd, true)) }
    // Shallowest first: a pin inside another's tree is bound on top of it, not under.
    var seen = Set<String>()
    pinList = pinList.filter { seen.insert($0.path).inserted }
      .sorted { $0.path.split(separator: "/").count < $1.path.split(separator: "/").count }

    var settings: [(String, String)] = []
    var data: String?
    if lowerdirPlus {
      settings = [("source", "reconcile")] + overlay.lowerdirs.map { ("lowerdir+", $0) }
      if let upper = overlay.upperdir { settings.append(("upperdir", upper)) }
      if let work = overlay.workdir { settings.append(("workdir", work)) }
    } else {
      data = legacyData(overlay)
      guard data!.utf8.count < 4096 else {
        return .failure(MountSystemError(
          call: "mount", path: path, errno: .argListTooLong,
          detail: "overlay options exceed one page and this kernel lacks lowerdir+ (Linux 6.8)"))
      }
    }

    var stage = [CChar](repeating: 0, count: 4200)
    var messages = [CChar](repeating: 0, count: 2048)
    let strings = pinList.map { strdup($0.path) } + settings.flatMap { [strdup($0.0), strdup($0.1)] }
    defer { for string in strings { free(string) } }
    let pins = pinList.enumerated().map { index, pin in
      rcs_pin(path: UnsafePointer(strings[index]), fd: pin.fd, recursive_nosymfollow: pin.recursive ? 1 : 0)
    }
    let keys = settings.indices.map { UnsafePointer(strings[pinList.count + 2 * $0]) }
    let values = settings.indices.map { UnsafePointer(strings[pinList.count + 2 * $0 + 1]) }
    let result = valueOrErrno(retryOnInterrupt: false) {
      if let data {
        return data.withCString {
          system_overlay_pinned(pins, keys: keys, values: values, data: $0, readOnly: overlay.readOnly,
                                stage: &stage, messages: &messages)
        }
      }
      return system_overlay_pinned(pins, keys: keys, values: values, data: nil, readOnly: overlay.readOnly,
                                   stage: &stage, messages: &messages)
    }
    return result.mapError { error in
      let call = cText(stage)
      let detail = cText(messages)
      return MountSystemError(
        call: call.isEmpty ? "overlay" : call, path: path, errno: error, detail: detail.isEmpty ? nil : detail)
    }
  }

  /// The messages the filesystem left in its context ("e overlayfs: ..."), which say
  /// far more than the errno.
  static func contextMessages(_ fs: Int32) -> String {
    var messages: [String] = []
    var buffer = [UInt8](repeating: 0, count: 1024)
    while true {
      let count = buffer.withUnsafeMutableBytes { system_read(fs, $0.baseAddress!, $0.count) }
      guard count > 0 else { break }
      messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
    }
    return messages.joined(separator: "; ")
  }

  /// `lowerdir=a:b,upperdir=...,workdir=...` with overlayfs's own escapes: `\`, `:`
  /// and `,` are backslash-escaped in each path.
  static func legacyData(_ overlay: ResolvedOverlay) -> String {
    func escaped(_ path: String) -> String {
      var out = ""
      for character in path {
        if character == "\\" || character == ":" || character == "," { out.append("\\") }
        out.append(character)
      }
      return out
    }
    var options = ["lowerdir=" + overlay.lowerdirs.map(escaped).joined(separator: ":")]
    if let upper = overlay.upperdir { options.append("upperdir=" + escaped(upper)) }
    if let work = overlay.workdir { options.append("workdir=" + escaped(work)) }
    return options.joined(separator: ",")
  }
}

/// The text of a NUL-terminated C buffer.
func cText(_ buffer: [CChar]) -> String {
  String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
