import Glibc

/// Seconds on a clock that never jumps (`CLOCK_MONOTONIC`), for deadlines and delays.
public enum MonotonicClock {
  /// Now, in seconds since an arbitrary start. The corresponding C call is
  /// `clock_gettime(CLOCK_MONOTONIC)`.
  public static var seconds: Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
  }
}
