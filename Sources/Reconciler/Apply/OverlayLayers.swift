import CMountShims
import Glibc
import SystemPackage

/// The directories of one overlay, each opened beneath its root with
/// `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)` (invariant 14): the kernel is handed
/// these, never a path it would look up again.
struct OverlayLayers {
  var lowers: [Int32] = []
  var upper: Int32?
  var work: Int32?
  /// The deepest directory holding both upperdir and workdir: overlayfs wants the two
  /// on one mount, so where layers go to the kernel as paths they share one pin.
  var upperWorkParent: (path: String, fd: Int32)?

  /// Opens every layer, or says which one failed and why (`ELOOP`: a symlink).
  ///
  /// - Parameters:
  ///   - overlay: the overlay; lowerdirs beneath their `lowerdirRoots`.
  ///   - root: the root upperdir and workdir (and lowerdirs without a root) lie below.
  ///   - readable: open the layers `O_RDONLY` rather than `O_PATH` (6.13 and 6.14
  ///     take layer fds, but not `O_PATH` ones).
  static func open(_ overlay: ResolvedOverlay, beneath root: String, readable: Bool) -> Result<OverlayLayers, MountSystemError> {
    let flags = readable ? UInt64(O_RDONLY | O_DIRECTORY | O_CLOEXEC) : O_PATH_DIRECTORY_CLOEXEC
    var layers = OverlayLayers()
    for (index, lower) in overlay.lowerdirs.enumerated() {
      let base = index < overlay.lowerdirRoots.count ? overlay.lowerdirRoots[index] : root
      switch openDirectory(lower, beneath: base, flags: flags) {
      case .success(let fd): layers.lowers.append(fd)
      case .failure(let error):
        layers.close()
        return .failure(error)
      }
    }
    for (path, keyPath) in [(overlay.upperdir, \OverlayLayers.upper), (overlay.workdir, \OverlayLayers.work)] {
      guard let path else { continue }
      switch openDirectory(path, beneath: root, flags: flags) {
      case .success(let fd): layers[keyPath: keyPath] = fd
      case .failure(let error):
        layers.close()
        return .failure(error)
      }
    }
    if let upper = overlay.upperdir, let work = overlay.workdir {
      let parent = commonParent(upper, work)
      switch openDirectory(parent, beneath: root) {
      case .success(let fd): layers.upperWorkParent = (parent, fd)
      case .failure(let error):
        layers.close()
        return .failure(error)
      }
    }
    return .success(layers)
  }

  func close() {
    for fd in lowers { system_close(fd) }
    if let upper { system_close(upper) }
    if let work { system_close(work) }
    if let upperWorkParent { system_close(upperWorkParent.fd) }
  }

  /// Whether the kernel names every layer fd by the path asked for. Layers passed as
  /// fds show in mountinfo as the kernel's path of the fd, which differs when a root
  /// is reached through a symlink; the planner matches the manifest's paths, so
  /// such an overlay goes to the kernel as pinned paths instead (invariant 9).
  func kernelPathsMatch(_ overlay: ResolvedOverlay) -> Bool {
    var pairs = Array(zip(lowers, overlay.lowerdirs))
    if let upper, let path = overlay.upperdir { pairs.append((upper, path)) }
    if let work, let path = overlay.workdir { pairs.append((work, path)) }
    return pairs.allSatisfy { system_fd_path($0.0) == $0.1 }
  }
}

/// The deepest directory that holds both paths (absolute, normal form).
func commonParent(_ first: String, _ second: String) -> String {
  let shared = zip(first.split(separator: "/").dropLast(), second.split(separator: "/").dropLast())
    .prefix { $0 == $1 }.map(\.0)
  return "/" + shared.joined(separator: "/")
}
