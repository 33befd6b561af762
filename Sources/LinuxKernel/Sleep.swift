import Glibc

/// Waiting without Foundation's `Thread`.
public enum Sleep {
  /// Sleeps `seconds`, resuming after signals until the time is up. The
  /// corresponding C call is `nanosleep(2)`.
  public static func seconds(_ seconds: Double) {
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
  }
}
