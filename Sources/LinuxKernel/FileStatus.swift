import Glibc
import SystemPackage

extension FileDescriptor {
  /// `fstat(2)`, as swift-system's `Stat`, with the call in the error.
  public func status() throws(KernelError) -> Stat {
    do {
      return try stat()
    } catch {
      throw KernelError("fstat", error)
    }
  }

  /// Reads to end of file, at most `limit` bytes (nil: no limit). A file that has more
  /// is read up to `limit + 1` bytes, so the caller can tell it grew too large.
  /// `/proc` files say size 0, so the size is never trusted.
  public func readAll(limit: Int? = nil) throws(KernelError) -> [UInt8] {
    var bytes: [UInt8] = []
    // Uninitialised: zero-filling 64 KiB for each 200-byte manifest was a tenth of a
    // dry run's instructions.
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)
    defer { chunk.deallocate() }
    while limit.map({ bytes.count <= $0 }) ?? true {
      let count: Int
      do {
        count = try read(into: chunk)
      } catch {
        throw KernelError("read", error as? Errno ?? .ioError)
      }
      if count == 0 { break }
      bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<count]))
    }
    return bytes
  }
}

extension Stat {
  /// Writable by group or others.
  public var isWritableByOthers: Bool { !permissions.isDisjoint(with: [.groupWrite, .otherWrite]) }
}

extension Errno {
  /// The calling thread's errno now.
  static var current: Errno { Errno(rawValue: Glibc.errno) }
}
