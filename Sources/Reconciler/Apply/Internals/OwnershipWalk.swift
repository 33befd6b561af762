import LinuxKernel
import SystemPackage

/// One `OwnershipWalker.walk` in progress, or one thread's part of it: an iterative
/// post-order walk over directory fds.
///
/// Each directory is read to its end as soon as it is opened: other entries are
/// decided and re-owned on the spot, subdirectory names are kept (as NUL-terminated
/// bytes) in `names`. Then its subdirectories are walked one by one, and the
/// directory itself is re-owned last. So no read position has to survive a descent,
/// one getdents buffer serves the whole walk, and a closed ancestor fd can be
/// re-opened through `..` without losing anything.
///
/// With `threads` above 1, the first directory that has two or more subdirectories
/// hands them out to that many threads (`walkInParallel`), each with a walk of its
/// own whose base frame is that directory; the directory and those above it are
/// re-owned once every thread is done, so post-order holds for the whole tree.
struct OwnershipWalk {
  /// One directory on the current path, the top one first.
  struct Frame {
    /// `O_RDONLY | O_DIRECTORY`, or -1 while closed: only the innermost `heldLimit`
    /// levels stay open.
    var fd: Int32
    var dev: UInt64
    var ino: UInt64
    /// Owned by `from` when opened: re-owned once its contents are done.
    var owned: Bool
    /// Its own name in `names`, inside its parent's region (unused for the top).
    var nameOffset: Int
    var nameLength: Int
    /// Its region of `names` (subdirectories to walk) runs from here to the end of
    /// `names` while it is the innermost frame.
    var regionStart: Int
    /// The next subdirectory name to walk.
    var cursor: Int
  }

  static let bufferSize = 64 * 1024

  let change: OwnershipChange
  let dryRun: Bool
  let heldLimit: Int
  /// Threads to share the subdirectories of the first directory that has several
  /// among; 1 walks alone.
  let threads: Int
  let share: OwnershipWalkShare
  /// Frames below this depth belong to the walk that handed this one its part: never
  /// closed or re-owned here.
  let baseDepth: Int
  /// The path of `frames[0]`, for error messages.
  let top: [UInt8]
  /// getdents64 records of the directory being read.
  let buffer: UnsafeMutableRawPointer
  var rootMountID: UInt64 = 0
  var frames: [Frame] = []
  var names: [UInt8] = []
  var counts = OwnershipCounts()
  var entries = 0

  init(
    change: OwnershipChange, dryRun: Bool, heldLimit: Int, threads: Int, share: OwnershipWalkShare,
    baseDepth: Int = 0, top: [UInt8], buffer: UnsafeMutableRawPointer
  ) {
    self.change = change
    self.dryRun = dryRun
    self.heldLimit = heldLimit
    self.threads = threads
    self.share = share
    self.baseDepth = baseDepth
    self.top = top
    self.buffer = buffer
    names.reserveCapacity(64 * 1024)
  }

  /// Walks the tree under `topFD` (which it takes over and closes).
  mutating func run(topFD: Int32) -> Result<OwnershipCounts, OwnershipWalkError> {
    defer { closeFrames() }
    let entry: OwnershipCalls.Entry
    switch OwnershipCalls.status(topFD, "") {
    case .success(let value): entry = value
    case .failure(let error):
      OwnershipCalls.close(topFD)
      return .failure(OwnershipWalkError(call: "statx", path: top, errno: error))
    }
    rootMountID = entry.mountID
    tick()
    if let error = push(fd: topFD, entry, nameOffset: 0, nameLength: 0) { return .failure(error) }
    var split = threads < 2
    while let innermost = frames.last {
      if !split && innermost.cursor == innermost.regionStart && hasTwoNames(from: innermost.cursor) {
        split = true
        if let failure = walkInParallel() { return .failure(failure) }
        continue
      }
      if let failure = step() { return .failure(failure) }
    }
    return .success(counts)
  }

  /// Walks the subdirectories listed in `names` of the base frame, for a thread of
  /// `walkInParallel`; stops early when another thread has failed.
  mutating func runPart() -> OwnershipWalkError? {
    while let innermost = frames.last, frames.count > baseDepth || innermost.cursor < names.count {
      if share.isStopped { return nil }
      if let failure = step() { return failure }
    }
    return nil
  }

  /// Enters the innermost directory's next subdirectory, or finishes the directory
  /// when none is left.
  private mutating func step() -> OwnershipWalkError? {
    let innermost = frames[frames.count - 1]
    guard innermost.cursor < names.count else { return finish() }
    let offset = innermost.cursor
    let length = names.withUnsafeBufferPointer { OwnershipCalls.length(cName($0, offset)) }
    frames[frames.count - 1].cursor = offset + length + 1
    return enter(nameOffset: offset, nameLength: length)
  }

  /// Closes the fds this walk opened (not the base frames it was handed).
  mutating func closeFrames() {
    for depth in frames.indices.dropFirst(baseDepth) where frames[depth].fd >= 0 {
      OwnershipCalls.close(frames[depth].fd)
      frames[depth].fd = -1
    }
  }

  /// Opens the subdirectory named at `nameOffset` in the innermost directory and
  /// reads it; another mount is counted and left.
  private mutating func enter(nameOffset: Int, nameLength: Int) -> OwnershipWalkError? {
    let parent = frames[frames.count - 1].fd
    let opened = names.withUnsafeBufferPointer { names in
      OwnershipCalls.openDirectory(parent, cName(names, nameOffset))
    }
    let fd: Int32
    switch opened {
    case .success(let value): fd = value
    case .failure(.improperLink):
      // RESOLVE_NO_XDEV: the name is a mount point.
      counts.skippedOtherMounts += 1
      return nil
    case .failure(.noSuchFileOrDirectory):
      return nil  // gone since it was listed: nothing left to re-own
    case .failure(.notDirectory), .failure(.tooManySymbolicLinkLevels):
      // Swapped for something else since it was listed: decide it as it is now.
      // A copy: `handle` may append to `names`.
      let name = Array(names[nameOffset..<(nameOffset + nameLength + 1)])
      return name.withUnsafeBufferPointer { handle(cName($0, 0), in: parent, directories: .refuse) }
    case .failure(let error):
      return OwnershipWalkError(
        call: "openat2", path: path(nameOffset: nameOffset, nameLength: nameLength), errno: error)
    }
    let entry: OwnershipCalls.Entry
    switch OwnershipCalls.status(fd, "") {
    case .success(let value): entry = value
    case .failure(let error):
      OwnershipCalls.close(fd)
      return OwnershipWalkError(call: "statx", path: path(nameOffset: nameOffset, nameLength: nameLength), errno: error)
    }
    guard entry.mountID == rootMountID else {
      OwnershipCalls.close(fd)
      counts.skippedOtherMounts += 1
      return nil
    }
    return push(fd: fd, entry, nameOffset: nameOffset, nameLength: nameLength)
  }

  /// Makes `fd` the innermost frame, closes the ancestor that falls out of the
  /// window, and reads the directory.
  private mutating func push(fd: Int32, _ entry: OwnershipCalls.Entry, nameOffset: Int, nameLength: Int)
    -> OwnershipWalkError?
  {
    frames.append(
      Frame(
        fd: fd, dev: entry.device, ino: entry.inode, owned: change.matches(uid: entry.uid, gid: entry.gid),
        nameOffset: nameOffset, nameLength: nameLength, regionStart: names.count, cursor: names.count))
    let outside = frames.count - 1 - heldLimit
    if outside >= baseDepth && frames[outside].fd >= 0 {
      OwnershipCalls.close(frames[outside].fd)
      frames[outside].fd = -1
    }
    return readDirectory(fd)
  }

  /// Re-owns the innermost directory now that its contents are done, re-opens its
  /// parent if that was closed, and pops it.
  private mutating func finish() -> OwnershipWalkError? {
    let depth = frames.count - 1
    let frame = frames[depth]
    if frame.owned {
      if !dryRun, case .failure(let error) = OwnershipCalls.changeOwner(frame.fd, uid: change.toUID, gid: change.toGID)
      {
        return OwnershipWalkError(call: "fchown", path: path(depth: depth), errno: error)
      }
      counts.changed += 1
    } else {
      counts.skippedForeign += 1
    }
    if depth > 0 && frames[depth - 1].fd < 0 {
      if let error = reopenParent(from: frame.fd, depth: depth - 1) { return error }
    }
    OwnershipCalls.close(frame.fd)
    frames.removeLast()
    names.removeSubrange(frame.regionStart..<names.count)
    return nil
  }

  /// Re-opens the frame at `depth` through `..` of its child and checks it is still
  /// the same directory: one moved away mid-walk stops the walk rather than have it
  /// continue somewhere else.
  private mutating func reopenParent(from child: Int32, depth: Int) -> OwnershipWalkError? {
    let fd: Int32
    switch OwnershipCalls.openDirectory(child, "..", parent: true) {
    case .success(let value): fd = value
    case .failure(let error): return OwnershipWalkError(call: "openat2 ..", path: path(depth: depth), errno: error)
    }
    guard case .success(let entry) = OwnershipCalls.status(fd, ""), entry.device == frames[depth].dev,
      entry.inode == frames[depth].ino, entry.mountID == rootMountID
    else {
      OwnershipCalls.close(fd)
      return OwnershipWalkError(
        call: "openat2 ..", path: path(depth: depth), errno: .staleNFSFileHandle,
        detail: "this directory is no longer the parent it was (moved during the walk)")
    }
    frames[depth].fd = fd
    return nil
  }

  /// Counts one entry seen; every 1024 entries, adds them to the walk's total, which
  /// is reported if the progress interval has passed.
  @inline(__always)
  mutating func tick() {
    entries &+= 1
    guard share.reportsProgress, entries & 1023 == 0 else { return }
    share.saw(1024)
  }

  /// The path of the frame at `depth`, with `name` appended when given.
  func path(depth: Int, appending name: UnsafePointer<CChar>? = nil) -> [UInt8] {
    var bytes = top
    if depth >= 1 {
      for frame in frames[1...depth] {
        bytes.append(UInt8(ascii: "/"))
        bytes += names[frame.nameOffset..<(frame.nameOffset + frame.nameLength)]
      }
    }
    if let name {
      bytes.append(UInt8(ascii: "/"))
      bytes += UnsafeRawBufferPointer(start: name, count: OwnershipCalls.length(name))
    }
    return bytes
  }

  /// The path of a subdirectory of the innermost frame named in `names`.
  func path(nameOffset: Int, nameLength: Int) -> [UInt8] {
    path(depth: frames.count - 1) + [UInt8(ascii: "/")] + names[nameOffset..<(nameOffset + nameLength)]
  }
}

/// The NUL-terminated name at `offset` of `names`, as C wants it.
@inline(__always)
func cName(_ names: UnsafeBufferPointer<UInt8>, _ offset: Int) -> UnsafePointer<CChar> {
  UnsafeRawPointer(names.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
}
