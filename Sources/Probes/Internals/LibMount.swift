// The libmount side of the mountinfo parser. Nothing here is public, and no libmount
// pointer leaves `consumeEntries`. libmount is a library, not a syscall: the stream it
// reads from and the C string lengths come from LinuxKernel.
import CLibMount
import LinuxKernel
import SystemPackage

/// A libmount table parsed from an in-memory mountinfo text.
///
/// It owns the C table and frees it in `deinit`. Entries are only reachable inside
/// `consumeEntries`, where they are turned into Swift values.
final class LibMountTable {
  private let table: OpaquePointer?
  /// 1-based line numbers, relative to the parsed bytes, that libmount skipped as
  /// malformed (reported through its parser error callback), ascending.
  private(set) var rejectedLines: [Int] = []
  /// The errno when libmount stopped before the end of the text; nil when it read it all.
  private(set) var failureErrno: Errno?
  /// Why libmount could not be loaded, in dlerror(3)'s words (`failureErrno` is ELIBACC).
  private(set) var loadFailure: String?

  /// Parses `bytes` as mountinfo with `mnt_table_parse_stream` over a memory stream.
  ///
  /// - Parameters:
  ///   - bytes: The text; libmount guesses the format from its first content line, so
  ///     the caller must make sure that line starts with two numbers.
  ///   - sourceName: The name libmount passes to the error callback and uses in its
  ///     debug output.
  init(parsing bytes: UnsafeBufferPointer<UInt8>, sourceName: String) {
    // libmount is opened on first use (CLibMount.h); without it nothing can be parsed.
    let loaded = rcs_libmount_load()
    guard loaded == 0 else {
      table = nil
      failureErrno = Errno(rawValue: loaded)
      loadFailure = rcs_libmount_error().map { String(cString: $0) }
      return
    }
    table = mnt_new_table()
    guard let table else {
      failureErrno = .noMemory
      return
    }
    guard bytes.count > 0 else { return }
    // The callback cannot capture, so it finds this object through the table's userdata.
    mnt_table_set_userdata(table, Unmanaged.passUnretained(self).toOpaque())
    mnt_table_set_parser_errcb(table, recordRejectedLine)
    defer { mnt_table_set_userdata(table, nil) }
    let rc: Int32
    do {
      rc = try MemoryStream.reading(bytes) { mnt_table_parse_stream(table, $0, sourceName) }
    } catch {
      failureErrno = error.errno
      return
    }
    // libmount returns a negative errno.
    if rc < 0 { failureErrno = Errno(rawValue: -rc) }
  }

  deinit { if let table { mnt_unref_table(table) } }

  fileprivate func recordRejected(line: Int) { rejectedLines.append(line) }

  /// How many entries libmount kept.
  var count: Int { table.map { Int(mnt_table_get_nents($0)) } ?? 0 }

  /// Calls `body` with each kept entry, in file order, and takes the entry out of the
  /// table right after, so that the Swift values built from it reuse the memory it
  /// freed (on a 5,000-entry table that saves most of a megabyte of fresh pages). The
  /// entry is valid only during the call; the table is empty afterwards.
  func consumeEntries(_ body: (LibMountFS) -> Void) {
    guard let table, let iterator = mnt_new_iter(Int32(MNT_ITER_FORWARD)) else { return }
    defer { mnt_free_iter(iterator) }
    var fs: OpaquePointer?
    // The iterator already points past the entry it returned, so removing it is safe.
    while mnt_table_next_fs(table, iterator, &fs) == 0, let fs {
      body(LibMountFS(fs: fs))
      mnt_table_remove_fs(table, fs)
    }
  }
}

/// libmount's parser error callback: records the line and asks it to skip the line
/// and go on (a positive return means "recoverable").
private func recordRejectedLine(
  _ table: OpaquePointer?, _ filename: UnsafePointer<CChar>?, _ line: Int32
) -> Int32 {
  if let data = mnt_table_get_userdata(table) {
    Unmanaged<LibMountTable>.fromOpaque(data).takeUnretainedValue()
      .recordRejected(line: Int(line))
  }
  return 1
}

/// One entry of a `LibMountTable`, read through the `mnt_fs_get_*` getters. Valid only
/// inside `LibMountTable.consumeEntries`. Missing strings read as empty.
struct LibMountFS {
  fileprivate let fs: OpaquePointer

  /// `mnt_fs_get_id`.
  var id: Int { Int(mnt_fs_get_id(fs)) }
  /// `mnt_fs_get_parent_id`.
  var parentID: Int { Int(mnt_fs_get_parent_id(fs)) }

  /// `mnt_fs_get_devno`, split as glibc's `major()`/`minor()` do (those are macros
  /// Swift cannot call).
  var device: (major: UInt32, minor: UInt32) {
    let dev = UInt64(mnt_fs_get_devno(fs))
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & 0xffff_f000)
    let minor = (dev & 0xff) | ((dev >> 12) & 0xffff_ff00)
    return (UInt32(truncatingIfNeeded: major), UInt32(truncatingIfNeeded: minor))
  }

  /// `mnt_fs_get_root`, unescaped.
  var root: String { string(mnt_fs_get_root(fs)) }
  /// `mnt_fs_get_target`, unescaped.
  var target: String { string(mnt_fs_get_target(fs)) }
  /// `mnt_fs_get_fstype`, unescaped.
  var fsType: String { string(mnt_fs_get_fstype(fs)) }
  /// `mnt_fs_get_source`. libmount 2.38 rewrites `/dev/root` using this host's /sys.
  var source: String { string(mnt_fs_get_source(fs)) }
  /// `mnt_fs_get_optional_fields` (the raw `shared:N master:N ...` text), parsed.
  var propagation: Propagation {
    guard let pointer = mnt_fs_get_optional_fields(fs) else { return Propagation() }
    return Propagation(optionalFieldBytes: bytes(pointer))
  }

  /// `mnt_fs_get_vfs_options`, split on commas (already unescaped by libmount).
  var vfsOptions: [String] { options(mnt_fs_get_vfs_options(fs)) }
  /// `mnt_fs_get_fs_options`, split on commas. libmount unescaped it before it could
  /// be split, so an escaped comma splits wrongly; only a fallback.
  var fsOptions: [String] { options(mnt_fs_get_fs_options(fs)) }

  private func string(_ pointer: UnsafePointer<CChar>?) -> String {
    pointer.map { String(cString: $0) } ?? ""
  }

  private func options(_ pointer: UnsafePointer<CChar>?) -> [String] {
    guard let pointer else { return [] }
    return MountOptionSyntax.split(bytes(pointer), unescape: false)
  }

  private func bytes(_ pointer: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8> {
    ByteScan.bytes(ofCString: pointer)
  }
}
