import Probes

extension Planner {
  /// Whether a mounted layer is exactly the desired mount. Overlays compare their
  /// decoded layers, upperdir and workdir structurally (never raw option strings, the
  /// Puppet "rbind to rbind" lesson); binds compare the filesystem and directory they
  /// show, read-only and idmap.
  static func matches(
    _ entry: MountEntry, _ mount: ResolvedMount, table: MountTable, idmap: ObservedIDMap?
  ) -> Bool {
    switch mount {
    case .overlay(let overlay):
      guard entry.fsType == "overlay", let layers = entry.overlay else { return false }
      return layers.lowerdirs == overlay.lowerdirs && layers.dataLowerdirs.isEmpty
        && layers.upperdir == overlay.upperdir && layers.workdir == overlay.workdir
        && entry.isReadOnly == overlay.readOnly
    case .bind(let bind):
      guard entry.isReadOnly == bind.readOnly, entry.isIdmapped == (bind.idmap != nil) else {
        return false
      }
      if let wanted = bind.idmap, let seen = idmap {
        guard seen.agrees(uids: wanted.users.range, gids: wanted.groups.range) else { return false }
      }
      guard let home = table.mount(containing: bind.source), home.id != entry.id else {
        return false
      }
      return entry.major == home.major && entry.minor == home.minor
        && entry.root == fsRoot(of: bind.source, in: home)
    }
  }

  /// The directory within its filesystem that `path` names, given the mount it lies
  /// on: what a bind of `path` shows as its mountinfo root.
  static func fsRoot(of path: String, in home: MountEntry) -> String {
    var rest = path.dropFirst(home.target == "/" ? 0 : home.target.count)
    while rest.hasPrefix("/") { rest = rest.dropFirst() }
    if rest.isEmpty { return home.root }
    return home.root == "/" ? "/" + rest : home.root + "/" + rest
  }
}
