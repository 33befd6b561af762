import Probes

/// A findmnt-like view of the mounts below one root, stacks counted, for the demo.
enum MountListing {
  /// - Parameters:
  ///   - root: List mounts below this path.
  ///   - filesystemBase: Where the filesystem holding the tree is mounted, to show a
  ///     bind's source as a path rather than as a root within that filesystem.
  static func render(below root: String, filesystemBase: String, mountInfo: String = "/proc/self/mountinfo") -> String {
    guard let table = try? MountInfoProbe(path: mountInfo).read() else { return "  (mount table unreadable)\n" }
    var out = ""
    for target in table.targets where target.hasPrefix(root + "/") {
      let stack = table.stack(at: target)
      let top = stack[stack.count - 1]
      var what: String
      if let overlay = top.overlay {
        what = "overlay of " + overlay.lowerdirs.map { relative($0, root) }.joined(separator: " > ")
      } else {
        what = "bind of " + relative(filesystemBase + top.root, root)
      }
      if top.isIdmapped { what += ", idmapped" }
      if top.isReadOnly { what += ", read-only" }
      let count = stack.count > 1 ? "  [\(stack.count) stacked]" : ""
      out += "  " + pad(relative(target, root), 30) + " " + what + count + "\n"
    }
    return out.isEmpty ? "  (nothing mounted)\n" : out
  }

  private static func relative(_ path: String, _ root: String) -> String {
    path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
