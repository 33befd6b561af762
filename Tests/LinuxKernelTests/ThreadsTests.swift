import Foundation
import Glibc
import Synchronization
import Testing

@testable import LinuxKernel

@Suite struct ThreadsTests {
  @Test func everyIndexRunsOnceAndTheCallerWaitsForAll() {
    let seen = Mutex<[Int]>([])
    let callers = Mutex<Set<UInt>>([])
    Threads.run(5) { index in
      seen.withLock { $0.append(index) }
      callers.withLock { _ = $0.insert(pthreadSelf()) }
    }
    #expect(seen.withLock { $0.sorted() } == [0, 1, 2, 3, 4])
    #expect(callers.withLock { $0.count } == 5, "each index on a thread of its own")
  }

  @Test func oneThreadRunsOnTheCaller() {
    let caller = pthreadSelf()
    let ran = Mutex<UInt?>(nil)
    Threads.run(1) { _ in ran.withLock { $0 = pthreadSelf() } }
    #expect(ran.withLock { $0 } == caller)
  }

  @Test func availableProcessorsMatchesTheAffinityTheKernelReports() throws {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
    let list = try #require(line).split(separator: "\t").last.map(String.init) ?? ""
    let count = list.split(separator: ",").reduce(0) { total, range in
      let bounds = range.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      return total + (bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1)
    }
    #expect(Threads.availableProcessors == count)
  }
}

private func pthreadSelf() -> UInt { UInt(pthread_self()) }
