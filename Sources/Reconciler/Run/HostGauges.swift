import Probes
import StateModel

/// What an operator of a leaky host watches, from one applying run's observations:
/// the mounts below the managed directories and the deepest stack on one mount point
/// there, as the run found them and as it left them, and which instances are up.
/// The metrics file carries them after `RunStatus.prometheusText`.
public struct HostGauges: Hashable, Sendable {
  /// Mounts below a managed directory, before and after the run.
  public var managedMounts: (before: Int, after: Int)
  /// The most mounts on one mount point below a managed directory (1: nothing
  /// stacked, 0: nothing mounted), before and after the run.
  public var deepestStack: (before: Int, after: Int)
  /// Every instance with a manifest, by name: up when it was accepted, is enabled, and
  /// nothing is pending for it after the run.
  public var instanceUp: [String: Bool]

  public static func == (a: HostGauges, b: HostGauges) -> Bool {
    a.managedMounts == b.managedMounts && a.deepestStack == b.deepestStack && a.instanceUp == b.instanceUp
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(managedMounts.before)
    hasher.combine(managedMounts.after)
    hasher.combine(deepestStack.before)
    hasher.combine(deepestStack.after)
    hasher.combine(instanceUp)
  }

  /// The gauges of a run that found `before`, left `after`, and whose full plan
  /// against `after` is `pending`; `refused` are the instances its plan refused.
  public init(
    desired: DesiredState, before: MountTable, after: MountTable, pending: [Step], refused: [String]
  ) {
    let managed = desired.config.managed
    let found = Self.measure(before, managed: managed)
    let left = Self.measure(after, managed: managed)
    managedMounts = (found.mounts, left.mounts)
    deepestStack = (found.deepest, left.deepest)
    let waiting = Set(pending.compactMap(\.instance))
    var up: [String: Bool] = [:]
    for instance in desired.instances {
      up[instance.name] = instance.enabled && !waiting.contains(instance.name) && !refused.contains(instance.name)
    }
    for instance in desired.refused { up[instance.name] = false }
    instanceUp = up
  }

  /// How many mounts lie below `managed` in `table`, and the most on one mount point.
  static func measure(_ table: MountTable, managed: [String]) -> (mounts: Int, deepest: Int) {
    var perTarget: [String: Int] = [:]
    for entry in table.entries where managed.contains(where: { PathRules.isStrictlyBeneath(entry.target, $0) }) {
      perTarget[entry.target, default: 0] += 1
    }
    return (perTarget.values.reduce(0, +), perTarget.values.max() ?? 0)
  }

  /// The gauges in the Prometheus textfile-collector form.
  public var prometheusText: String {
    var text = PrometheusGauge(
      "managed_mounts",
      "Mounts below the managed directories, as the last applying run found (before) and left (after) them."
    ).text([("{observation=\"before\"}", managedMounts.before), ("{observation=\"after\"}", managedMounts.after)])
    text += PrometheusGauge(
      "deepest_stack",
      "Most mounts on one mount point below the managed directories (1: nothing stacked), before and after the last applying run."
    ).text([("{observation=\"before\"}", deepestStack.before), ("{observation=\"after\"}", deepestStack.after)])
    text += PrometheusGauge(
      "instance_up",
      "1 when the instance's manifest was accepted, it is enabled, and nothing is pending for it after the last applying run."
    ).text(instanceUp.keys.sorted().map { ("{instance=\"\(PrometheusGauge.escaped($0))\"}", instanceUp[$0]! ? 1 : 0) })
    return text
  }
}

/// One gauge of the textfile-collector form: its HELP and TYPE lines, then its samples.
struct PrometheusGauge {
  var name: String
  var help: String

  init(_ name: String, _ help: String) {
    self.name = "reconcile_" + name
    self.help = help
  }

  func text(_ samples: [(labels: String, value: Int)]) -> String {
    guard !samples.isEmpty else { return "" }
    var lines = ["# HELP \(name) \(help)", "# TYPE \(name) gauge"]
    lines += samples.map { "\(name)\($0.labels) \($0.value)" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// A label value as the exposition format wants it: backslash, quote and newline escaped.
  static func escaped(_ value: String) -> String {
    var out = ""
    for character in value {
      switch character {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      default: out.append(character)
      }
    }
    return out
  }
}
