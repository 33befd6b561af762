import CMountShims
import Glibc
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
      let read = valueOrErrno { system_getdents64(fd, buffer, Self.bufferSize) }
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
        if type == RCS_DT_DIR {
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
    var entry = rcs_entry_stat()
    switch valueOrErrno({ system_statx_entry(dirfd, name, statxEntryFlags, &entry) }) {
    case .success: break
    case .failure(.noSuchFileOrDirectory): return nil  // gone since it was listed
    case .failure(let error):
      return OwnershipWalkError(call: "statx", path: path(depth: frames.count - 1, appending: name), errno: error)
    }
    // A bind of a single file shows the bound file's mount id, not ours.
    guard entry.mnt_id == rootMountID else {
      counts.skippedOtherMounts += 1
      return nil
    }
    let type = entry.mode & UInt32(S_IFMT)
    if type == UInt32(S_IFDIR) {
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
    if type == UInt32(S_IFREG) && entry.mode & UInt32(S_ISUID | S_ISGID) != 0 {
      return reownSetID(name, in: dirfd, entry)
    }
    if !dryRun {
      let flags = Int32(RCS_AT_SYMLINK_NOFOLLOW)
      switch valueOrErrno({ system_fchownat(dirfd, name, change.toUID, change.toGID, flags) }) {
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
  private mutating func reownSetID(_ name: UnsafePointer<CChar>, in dirfd: Int32, _ decided: rcs_entry_stat) -> OwnershipWalkError? {
    counts.changed += 1
    counts.setIDBitsCleared += 1
    if dryRun { return nil }
    // Rare enough to spell the path out in advance.
    let here = path(depth: frames.count - 1, appending: name)
    let located = { (call: String, error: Errno, detail: String?) in
      OwnershipWalkError(call: call, path: here, errno: error, detail: detail)
    }
    let flags = UInt64(RCS_O_PATH | O_NOFOLLOW | O_CLOEXEC)
    let fd: Int32
    switch valueOrErrno({ system_openat2(dirfd, name: name, flags: flags, resolve: resolveOneLevel) }) {
    case .success(let value): fd = value
    case .failure(let error): return located("openat2 O_PATH", error, nil)
    }
    defer { system_close(fd) }
    var entry = rcs_entry_stat()
    let stat = valueOrErrno { system_statx_entry(fd, "", Self.entryFDFlags, &entry) }
    guard case .success = stat, entry.ino == decided.ino, entry.dev == decided.dev,
      entry.mnt_id == rootMountID, change.matches(uid: entry.uid, gid: entry.gid)
    else {
      return located("statx", .staleNFSFileHandle, "replaced during the walk")
    }
    let empty = Int32(RCS_AT_EMPTY_PATH)
    let mode = entry.mode & 0o1777
    var cleared = valueOrErrno { system_fchmodat2(fd, "", mode, empty) }
    if case .failure(.noFunction) = cleared {
      // Before 6.6: chmod the inode the fd was just checked to be, through its
      // /proc/self/fd link (which names that inode, not a path to look up again).
      cleared = valueOrErrno { system_chmod_fd_path(fd, mode) }
    }
    if case .failure(let error) = cleared {
      return located("fchmodat2", error, "clearing setuid/setgid")
    }
    if case .failure(let error) = valueOrErrno({ system_fchownat(fd, "", change.toUID, change.toGID, empty) }) {
      return located("fchownat", error, nil)
    }
    return nil
  }

  /// Keeps a subdirectory's name, NUL included, in the innermost frame's region.
  @inline(__always)
  mutating func appendName(_ name: UnsafePointer<CChar>) {
    names.append(contentsOf: UnsafeRawBufferPointer(start: name, count: cStringLength(name) + 1))
  }
}

@inline(__always)
private func isDotOrDotDot(_ name: UnsafePointer<CChar>) -> Bool {
  name[0] == 0x2e && (name[1] == 0 || (name[1] == 0x2e && name[2] == 0))
}
