// The start-up floor of any program linked as reconcile is (the static Swift runtime,
// FoundationEssentials, the same link flags), without the argument parser: it prints
// the version. JSONEncoder is linked, as in reconcile, but runs only when asked.
import FoundationEssentials

struct Version: Encodable { var version = "0.1.0" }

if CommandLine.arguments.dropFirst().first == "--json" {
  let encoded = try JSONEncoder().encode(Version())
  print(String(decoding: encoded, as: UTF8.self))
} else {
  print(Version().version)
}
