import LinuxKernel
import SystemPackage

/// Reading one directory and deciding each of its entries.
extension OwnershipWalk {
  /// What to do with an entry that turns out to be a directory.
  enum Directories {
    /// Keep its name, to walk it after this directory is read.
    case walkLater
    /// It was a directory, then not, now is again: stop rather than chase it.
    case refuse
  }

  /// Reads the innermost directory to its end: every entry but a subdirectory is
  /// decided now; subdirectory names go to `names`, to be walked next.
  mutating func readDirectory(_ fd: Int32) -> OwnershipWalkError? {
    while true {
      let read = OwnershipCalls.readEntries(fd, into: buffer, count: Self.bufferSize)
      guard case .success(let size) = read else {
        guard case .failure(let error) = read else { return nil }
        return OwnershipWalkError(call: "getdents64", path: path(depth: frames.count - 1), errno: error)
      }
      if size == 0 { return nil }
      var offset = 0
      while offset < size {
        // struct linux_dirent64: d_ino at 0, d_off at 8, d_reclen at 16, d_type at 18,
        // then the NUL-terminated name.
        let record = buffer + offset
        offset += Int(record.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        let type = record.load(fromByteOffset: 18, as: UInt8.self)
        let name = UnsafePointer((record + 19).assumingMemoryBound(to: CChar.self))
        if isDotOrDotDot(name) { continue }
        tick()
        if type == OwnershipCalls.directoryType {
          // Decided when opened: through the fd, with no window for a swap.
          appendName(name)
        } else if let error = handle(name, in: fd, directories: .walkLater) {
          return error
        }
      }
    }
  }

  /// Decides one entry by `statx(dirfd, name, AT_SYMLINK_NOFOLLOW)` and re-owns it if
  /// `from` owns it: `fchownat(AT_SYMLINK_NOFOLLOW)` changes a symlink itself.
  mutating func handle(_ name: UnsafePointer<CChar>, in dirfd: Int32, directories: Directories) -> OwnershipWalkError? {
    let entry: OwnershipCalls.Entry
    switch OwnershipCalls.status(dirfd, name) {
    case .success(let value): entry = value
    case .failure(.noSuchFileOrDirectory): return nil  // gone since it was listed
    case .failure(let error):
      return OwnershipWalkError(call: "statx", path: path(depth: frames.count - 1, appending: name), errno: error)
    }
    // A bind of a single file shows the bound file's mount id, not ours.
    guard entry.mountID == rootMountID else {
      counts.skippedOtherMounts += 1
      return nil
    }
    if entry.isDirectory {
      // Listed without a type (DT_UNKNOWN), or swapped back and forth.
      guard directories == .walkLater else {
        return OwnershipWalkError(
          call: "statx", path: path(depth: frames.count - 1, appending: name), errno: .staleNFSFileHandle,
          detail: "changed between directory and not a directory during the walk")
      }
      appendName(name)
      return nil
    }
    guard change.matches(uid: entry.uid, gid: entry.gid) else {
      counts.skippedForeign += 1
      return nil
    }
    if entry.isRegularFile && entry.hasSetIDBits {
      return reownSetID(name, in: dirfd, entry)
    }
    if !dryRun {
      switch OwnershipCalls.changeOwner(dirfd, name, uid: change.toUID, gid: change.toGID) {
      case .success: break
      case .failure(.noSuchFileOrDirectory): return nil
      case .failure(let error):
        return OwnershipWalkError(call: "fchownat", path: path(depth: frames.count - 1, appending: name), errno: error)
      }
    }
    counts.changed += 1
    return nil
  }

  /// Clears setuid and setgid, then re-owns, both through one `O_PATH` fd that is
  /// checked to be the inode just decided on (a regular file: `O_NOFOLLOW` would have
  /// opened a swapped-in symlink itself, whose inode differs). Bits first: a kill in between leaves a
  /// file still owned by `from`, which the rerun re-owns.
  private mutating func reownSetID(_ name: UnsafePointer<CChar>, in dirfd: Int32, _ decided: OwnershipCalls.Entry)
    -> OwnershipWalkError?
  {
    counts.changed += 1
    counts.setIDBitsCleared += 1
    if dryRun { return nil }
    // Rare enough to spell the path out in advance.
    let here = path(depth: frames.count - 1, appending: name)
    let located = { (call: String, error: Errno, detail: String?) in
      OwnershipWalkError(call: call, path: here, errno: error, detail: detail)
    }
    let fd: Int32
    switch OwnershipCalls.openEntry(dirfd, name) {
    case .success(let value): fd = value
    case .failure(let error): return located("openat2 O_PATH", error, nil)
    }
    defer { OwnershipCalls.close(fd) }
    guard case .success(let entry) = OwnershipCalls.status(fd, ""), entry.inode == decided.inode,
      entry.device == decided.device, entry.mountID == rootMountID, change.matches(uid: entry.uid, gid: entry.gid)
    else {
      return located("statx", .staleNFSFileHandle, "replaced during the walk")
    }
    // fchmodat2 (6.6+), else chmod of the fd's /proc/self/fd link: the inode it was
    // just checked to be, not a path looked up again.
    if case .failure(let error) = OwnershipCalls.setMode(fd, entry.mode & 0o1777) {
      return located("fchmodat2", error, "clearing setuid/setgid")
    }
    if case .failure(let error) = OwnershipCalls.changeOwner(fd, "", uid: change.toUID, gid: change.toGID) {
      return located("fchownat", error, nil)
    }
    return nil
  }

  /// Keeps a subdirectory's name, NUL included, in the innermost frame's region.
  @inline(__always)
  mutating func appendName(_ name: UnsafePointer<CChar>) {
    names.append(contentsOf: UnsafeRawBufferPointer(start: name, count: OwnershipCalls.length(name) + 1))
  }
}

@inline(__always)
private func isDotOrDotDot(_ name: UnsafePointer<CChar>) -> Bool {
  name[0] == 0x2e && (name[1] == 0 || (name[1] == 0x2e && name[2] == 0))
}
