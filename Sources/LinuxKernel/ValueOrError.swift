import SystemPackage

/// Makes a call that answers -1 and sets errno on failure, retrying while it fails
/// with `EINTR` (unless told not to), and turns any other failure into a
/// `KernelError` at once, before another call can overwrite errno.
///
/// - Parameters:
///   - call: the C call, for the error (`llistxattr`).
///   - path: the path the call is about, if any.
///   - body: the call itself.
/// - Returns: what the call returned.
func valueOrError<I: FixedWidthInteger>(
  _ call: String, _ path: FilePath? = nil, retryOnInterrupt: Bool = true, _ body: () -> I
) throws(KernelError) -> I {
  while true {
    let result = body()
    if result != -1 { return result }
    let error = Errno.current
    if retryOnInterrupt && error == .interrupted { continue }
    throw KernelError(call, error, path: path)
  }
}

/// `valueOrError` for a call that takes `path` as a C string.
func valueOrError<I: FixedWidthInteger>(
  _ call: String, at path: FilePath, _ body: (UnsafePointer<CChar>) -> I
) throws(KernelError) -> I {
  let result = path.withPlatformString { name in
    Result { () throws(KernelError) in try valueOrError(call, path) { body(name) } }
  }
  return try result.get()
}
