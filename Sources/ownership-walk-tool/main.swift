// ownership-walk-tool: runs one OwnershipWalker walk in its own process, for the
// tests that SIGKILL a walk midway and for the benchmark against `chown -R`. Not
// installed; `reconcile migrate` is the operator's entry point.
//
//   ownership-walk-tool --from U:G --to U:G [--beneath ROOT] [--threads N] [--dry-run] [--progress] PATH
//
// Prints the counts as one JSON object on stdout; with --progress, "progress N"
// lines on stderr. Exit 0 when the walk completed, 1 when it stopped, 64 on usage.
import LinuxKernel
import Reconciler

/// Writes a line to stderr with write(2): no shared FILE state.
func say(_ line: String) {
  StandardStreams.writeError(line + "\n")
}

func usage(_ message: String) -> Never {
  say("ownership-walk-tool: \(message)")
  say("usage: ownership-walk-tool --from U:G --to U:G [--beneath ROOT] [--threads N] [--dry-run] [--progress] PATH")
  CurrentProcess.exit(64)
}

func owner(_ text: String?) -> (UInt32, UInt32) {
  let parts = (text ?? "").split(separator: ":", omittingEmptySubsequences: false)
  guard parts.count == 2, let uid = UInt32(parts[0]), let gid = UInt32(parts[1]) else {
    usage("owners are numeric UID:GID, got \(text ?? "nothing")")
  }
  return (uid, gid)
}

var from: (UInt32, UInt32)?
var to: (UInt32, UInt32)?
var beneath = "/"
var dryRun = false
var threads: Int?
var showProgress = false
var path: String?
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
  switch argument {
  case "--from": from = owner(arguments.next())
  case "--to": to = owner(arguments.next())
  case "--beneath":
    guard let root = arguments.next() else { usage("--beneath needs a directory") }
    beneath = root
  case "--threads":
    guard let count = arguments.next().flatMap({ Int($0) }), count >= 1 else { usage("--threads needs a count") }
    threads = count
  case "--dry-run": dryRun = true
  case "--progress": showProgress = true
  case _ where argument.hasPrefix("-"): usage("unknown option \(argument)")
  default:
    guard path == nil else { usage("one PATH only") }
    path = argument
  }
}
guard let from, let to, let path else { usage("--from, --to and PATH are required") }
guard path.hasPrefix("/"), beneath.hasPrefix("/") else { usage("paths must be absolute") }

let change = OwnershipChange(fromUID: from.0, fromGID: from.1, toUID: to.0, toGID: to.1)
let progress: ((Int) -> Void)? = showProgress ? { say("progress \($0)") } : nil
var walker = OwnershipWalker(change: change, dryRun: dryRun, progress: progress)
if let threads { walker.threads = threads }
switch walker.walk(path, beneath: beneath) {
case .success(let counts):
  print(
    "{\"changed\": \(counts.changed), \"skipped_foreign\": \(counts.skippedForeign), "
      + "\"skipped_other_mounts\": \(counts.skippedOtherMounts), \"setid_bits_cleared\": \(counts.setIDBitsCleared)}")
case .failure(let error):
  say("ownership-walk-tool: \(error)")
  CurrentProcess.exit(1)
}
