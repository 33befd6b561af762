/// How `reconcile watch` runs (DESIGN 3.1); the defaults are the service's.
public struct WatchOptions: Sendable {
  public var configFile: String
  /// Where each run writes Prometheus metrics, if anywhere.
  public var metricsFile: String?
  /// Seconds between safety-net runs when nothing happens.
  public var periodicInterval: Double = 600
  /// A burst ends when no event came for this long...
  public var quietPeriod: Double = 0.02
  /// ...or this long after its first event, whichever is first: a storm that never
  /// pauses still gets its check this often.
  public var maximumDelay: Double = 0.2
  /// The mount table is sampled at most this often: in a storm of mounts the watcher
  /// wakes for them at most 1/interval times a second, however many there are.
  public var mountSampleInterval: Double = 0.01
  /// How long a run waits for another's lock (the timer's backstop run) before it
  /// reports 75 and the watcher tries again at its next event or period.
  public var lockTimeout: Double = 10
  /// Use fanotify mount notifications where the kernel has them (6.15+). Off, the
  /// watcher polls /proc/self/mountinfo alone, as it does on older kernels.
  public var useFanotify: Bool = true

  public init(configFile: String = "/etc/reconcile/site.yaml", metricsFile: String? = nil) {
    self.configFile = configFile
    self.metricsFile = metricsFile
  }
}
