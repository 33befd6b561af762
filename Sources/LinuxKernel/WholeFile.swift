import Glibc
import SystemPackage

extension Files {
  /// Reads the whole file at `path` into one buffer and hands it to `body`, for a
  /// large table (`/proc/self/mountinfo`) parsed straight from the read buffer
  /// without a copy. The path is opened as `open(2)` does (a symlink followed).
  ///
  /// procfs files report size 0, so the buffer starts large (untouched pages cost
  /// nothing) and doubles until `read` returns 0. Few, large reads of a `/proc`
  /// mount table also leave fewer chances to see it change halfway.
  ///
  /// - Parameters:
  ///   - initialCapacity: the first buffer size; by default the file size or 1 MiB.
  ///   - body: gets the bytes, valid only during the call.
  /// - Returns: what `body` returned.
  /// - Throws: the failing `open`, `read` or allocation, with the path.
  ///
  /// The corresponding C calls are `open(2)`, `fstat(2)` and `read(2)`.
  public static func withContents<R>(
    of path: FilePath, initialCapacity: Int? = nil, _ body: (UnsafeBufferPointer<UInt8>) -> R
  ) throws(KernelError) -> R {
    let fd = try valueOrError("open", at: path) { open($0, O_RDONLY | O_CLOEXEC) }
    defer { close(fd) }
    var info = stat()
    let hint = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    var capacity = max(initialCapacity ?? max(hint + 1, 1 << 20), 1)
    guard var storage = malloc(capacity) else { throw KernelError("malloc", .noMemory, path: path) }
    defer { free(storage) }
    var used = 0
    while true {
      if used == capacity {
        guard let grown = realloc(storage, capacity * 2) else { throw KernelError("realloc", .noMemory, path: path) }
        storage = grown
        capacity *= 2
      }
      let count = try valueOrError("read", path) { read(fd, storage + used, capacity - used) }
      if count == 0 { break }
      used += count
    }
    return body(UnsafeBufferPointer(start: storage.assumingMemoryBound(to: UInt8.self), count: used))
  }
}
