import LinuxKernel
import StateModel
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
  ) -> Result<FileDescriptor, ReconcilerError> {
    let context: FilesystemContext
    do {
      context = try FilesystemContext("overlay")
    } catch {
      return .failure(ReconcilerError.kernel(error.located(path)))
    }
    do throws(KernelError) {
      try context.set("source", "reconcile")
      var settings = zip(overlay.lowerdirs, layers.lowers).map { ("lowerdir+", $0.0, $0.1) }
      if let upper = layers.upper, let upperPath = overlay.upperdir { settings.append(("upperdir", upperPath, upper)) }
      if let work = layers.work, let workPath = overlay.workdir { settings.append(("workdir", workPath, work)) }
      for (key, layerPath, fd) in settings { try context.set(key, fd, path: FilePath(layerPath)) }
      try context.create()
      return .success(try context.mount(readOnly: overlay.readOnly))
    } catch {
      return .failure(ReconcilerError.kernel(error.located(path), detail: context.messages()))
    }
  }

  /// The overlay with its paths pinned to the layer fds; `lowerdirPlus` says whether
  /// overlayfs parses `lowerdir+` (6.8+), else it gets `mount(2)` data (one page).
  static func pinned(
    _ overlay: ResolvedOverlay, _ layers: OverlayLayers, lowerdirPlus: Bool, path: String
  ) -> Result<FileDescriptor, ReconcilerError> {
    var pins = zip(overlay.lowerdirs, layers.lowers).map { OverlayPins.Pin(path: $0.0, fd: $0.1, recursive: false) }
    if let parent = layers.upperWorkParent {
      pins.append(OverlayPins.Pin(path: parent.path, fd: parent.fd, recursive: true))
    }
    // Shallowest first: a pin inside another's tree is bound on top of it, not under.
    var seen = Set<ExactPath>()
    pins = pins.filter { seen.insert(ExactPath($0.path)).inserted }
      .sorted { $0.path.split(separator: "/").count < $1.path.split(separator: "/").count }

    var settings: [(key: String, value: String)] = []
    var data: String?
    if lowerdirPlus {
      settings = [("source", "reconcile")] + overlay.lowerdirs.map { ("lowerdir+", $0) }
      if let upper = overlay.upperdir { settings.append(("upperdir", upper)) }
      if let work = overlay.workdir { settings.append(("workdir", work)) }
    } else {
      data = legacyData(overlay)
      guard data!.utf8.count < 4096 else {
        return .failure(
          .kernel(
            KernelError("mount", .argListTooLong, path: FilePath(path)),
            detail: "overlay options exceed one page and this kernel lacks lowerdir+ (Linux 6.8)"))
      }
    }
    do {
      return .success(
        try OverlayPins.mount(pins, settings: settings, data: data, readOnly: overlay.readOnly, path: FilePath(path)))
    } catch {
      return .failure(
        ReconcilerError.kernel(error.error.located(path), detail: error.messages.isEmpty ? nil : error.messages))
    }
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
