import CMountShims
import Glibc
import SystemPackage

/// Builds an overlay through `fsopen`/`fsconfig`/`fsmount`, one `lowerdir+` per
/// layer (6.8+), or as `mount(2)` data on older kernels.
enum OverlayContext {
  static func mount(_ overlay: ResolvedOverlay, at targetFD: Int32, path: String) -> Result<Void, MountSystemError> {
    let fs: Int32
    switch valueOrErrno({ system_fsopen("overlay") }) {
    case .success(let fd): fs = fd
    case .failure(let error): return .failure(MountSystemError(call: "fsopen overlay", path: path, errno: error))
    }
    defer { system_close(fs) }
    var settings: [(String, String)] = [("source", "reconcile")]
    settings += overlay.lowerdirs.map { ("lowerdir+", $0) }
    if let upper = overlay.upperdir { settings.append(("upperdir", upper)) }
    if let work = overlay.workdir { settings.append(("workdir", work)) }
    for (key, value) in settings {
      if case .failure(let error) = valueOrErrno({ system_fsconfig(fs, RCS_FSCONFIG_SET_STRING, key, value) }) {
        return .failure(MountSystemError(
          call: "fsconfig \(key)", path: value, errno: error, detail: contextMessages(fs)))
      }
    }
    if case .failure(let error) = valueOrErrno({ system_fsconfig(fs, RCS_FSCONFIG_CMD_CREATE, nil, nil) }) {
      return .failure(MountSystemError(
        call: "fsconfig create overlay", path: path, errno: error, detail: contextMessages(fs)))
    }
    let attributes = overlay.readOnly ? UInt32(RCS_MOUNT_ATTR_RDONLY) : 0
    let mountFD: Int32
    switch valueOrErrno({ system_fsmount(fs, attributes) }) {
    case .success(let fd): mountFD = fd
    case .failure(let error):
      return .failure(MountSystemError(call: "fsmount", path: path, errno: error, detail: contextMessages(fs)))
    }
    defer { system_close(mountFD) }
    return attach(mountFD, to: targetFD, path: path)
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
