import LinuxKernel

/// Sharing one directory's subdirectories among threads.
extension OwnershipWalk {
  /// Whether `names` holds two or more names from `offset` on.
  func hasTwoNames(from offset: Int) -> Bool {
    guard let end = names[offset...].firstIndex(of: 0) else { return false }
    return end + 1 < names.count
  }

  /// Walks the subdirectories listed for the innermost directory on up to `threads`
  /// threads, each taking the next one not yet taken, and adds their counts to this
  /// walk's. The directory itself stays this walk's, to be re-owned when all are done;
  /// its fd is every thread's base, used only to open its subdirectories beneath it.
  /// - Returns: the first failure of any thread; the others stop at their next
  ///   directory, and nothing above that directory is re-owned.
  mutating func walkInParallel() -> OwnershipWalkError? {
    let depth = frames.count - 1
    let base = frames[depth]
    let parts = names[base.cursor...].split(separator: 0).map { Array($0) + [0] }
    frames[depth].cursor = names.count
    let basePath = path(depth: depth)
    let (change, dryRun, heldLimit, share, rootMountID) = (change, dryRun, heldLimit, share, rootMountID)
    Threads.run(min(threads, parts.count)) { _ in
      let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 8)
      defer { buffer.deallocate() }
      var part = OwnershipWalk(
        change: change, dryRun: dryRun, heldLimit: heldLimit, threads: 1, share: share, baseDepth: 1,
        top: basePath, buffer: buffer)
      part.rootMountID = rootMountID
      part.frames = [
        Frame(
          fd: base.fd, dev: base.dev, ino: base.ino, owned: false, nameOffset: 0, nameLength: 0, regionStart: 0,
          cursor: 0)
      ]
      // A part left midway (its failure, or another's) still has directories open.
      defer { part.closeFrames() }
      while let index = share.nextPart(of: parts.count) {
        // Into the buffer the walk reserved: the part's subdirectories are appended after it.
        part.names.removeAll(keepingCapacity: true)
        part.names.append(contentsOf: parts[index])
        part.frames[0].cursor = 0
        if let failure = part.runPart() {
          share.fail(failure)
          break
        }
      }
      share.add(part.counts)
    }
    if let failure = share.failure { return failure }
    counts.add(share.counts)
    return nil
  }
}
