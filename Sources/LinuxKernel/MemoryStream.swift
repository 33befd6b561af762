import Glibc
import SystemPackage

/// A stdio stream over bytes in memory, for C libraries that parse from a `FILE *`
/// (libmount's `mnt_table_parse_stream`) when the bytes were read already.
public enum MemoryStream {
  /// Calls `body` with a read-only stream over `bytes`, closed after the call. The
  /// stream never writes to the buffer (mode `"r"`).
  ///
  /// - Throws: the failing `fmemopen`, for instance `ENOMEM`.
  ///
  /// The corresponding C calls are `fmemopen(3)` and `fclose(3)`.
  public static func reading<R>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeMutablePointer<FILE>) -> R
  ) throws(KernelError) -> R {
    guard let base = bytes.baseAddress,
      let stream = fmemopen(UnsafeMutableRawPointer(mutating: base), bytes.count, "r")
    else {
      // fmemopen refuses a zero size (EINVAL) like any other failure.
      throw KernelError("fmemopen", bytes.baseAddress == nil ? .invalidArgument : .current)
    }
    defer { fclose(stream) }
    return body(stream)
  }
}
