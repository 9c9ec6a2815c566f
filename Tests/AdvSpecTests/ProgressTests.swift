@testable import AdvSpec
import Foundation
import Testing

/// A clock the test moves, and the text a `Progress` writes; both safe across threads.
final class ProgressProbe: @unchecked Sendable {
  let lock = NSLock()
  let start = Date(timeIntervalSinceReferenceDate: 1_000_000)
  var seconds = 0.0
  var written: [String] = []

  var now: Date {
    lock.lock()
    defer { lock.unlock() }
    return start.addingTimeInterval(seconds)
  }

  func advance(to seconds: Double) {
    lock.lock()
    self.seconds = seconds
    lock.unlock()
  }

  func write(_ text: String) {
    lock.lock()
    written.append(text)
    lock.unlock()
  }

  /// A progress on this clock, whose run started `runStarted` seconds before it.
  func progress(_ label: String, total: Int, unit: ProgressUnit = .count("samples"), style: ProgressStyle = .lines,
                interval: Double = 5, runStarted: Double = 60) -> AdvSpec.Progress {
    AdvSpec.Progress(label, total: total, unit: unit, style: style, interval: interval, clock: { self.now },
             origin: start.addingTimeInterval(-runStarted), write: { self.write($0) })
  }
}

@Suite("progress lines")
struct ProgressTests {
  @Test("a line names the statement, position, running metric, elapsed time and estimate")
  func lineShape() {
    let probe = ProgressProbe()
    let progress = probe.progress("attack bim on net", total: 100)
    probe.advance(to: 12)
    progress.update(40, note: "ASR so far 0.62")
    #expect(probe.written == ["[00:01:12] attack bim on net: 40/100 samples, ASR so far 0.62, elapsed 12.0 s, eta 18.0 s\n"])
  }

  @Test("training counts epochs and batches; the last batch of an epoch is still that epoch")
  func epochs() {
    let unit = ProgressUnit.epochs(per: 469, step: "batch")
    #expect(unit.position(2 * 469 + 120, of: 20 * 469) == "epoch 3/20, batch 120/469")
    #expect(unit.position(3 * 469, of: 20 * 469) == "epoch 3/20, batch 469/469")
    #expect(unit.position(0, of: 20 * 469) == "epoch 1/20, batch 0/469")
    let probe = ProgressProbe()
    let progress = probe.progress("train m", total: 20 * 469, unit: unit, runStarted: 3600 + 60 * 3 + 40 - 131)
    probe.advance(to: 131)
    progress.update(2 * 469 + 120, note: "loss 0.4120")
    #expect(probe.written == ["[01:03:40] train m: epoch 3/20, batch 120/469, loss 0.4120, elapsed 2 min 11 s, eta 17 min 10 s\n"])
  }

  @Test("lines come at most once per interval, and once more when the unit finishes")
  func throttled() {
    let probe = ProgressProbe()
    let progress = probe.progress("attack bim on net", total: 10)
    for (t, done) in [(1.0, 1), (2.0, 2), (4.9, 3), (5.0, 4), (6.0, 5), (9.9, 6), (10.5, 7), (11.0, 10)] {
      probe.advance(to: t)
      progress.update(done)
    }
    probe.advance(to: 12)
    progress.finish()
    #expect(probe.written == [
      "[00:01:05] attack bim on net: 4/10 samples, elapsed 5.0 s, eta 7.5 s\n",
      "[00:01:10] attack bim on net: 7/10 samples, elapsed 10.5 s, eta 4.5 s\n",
      "[00:01:12] attack bim on net: 10/10 samples, elapsed 12.0 s, done\n",
    ])
  }

  @Test("a unit that ends short says it stopped; one that never started has no estimate")
  func stoppedAndUnknown() {
    let probe = ProgressProbe()
    let progress = probe.progress("transfer bim from a", total: 10, unit: .count("valid adversarials"), interval: 0)
    progress.update(0)
    probe.advance(to: 2)
    progress.update(3, note: "8 attacked")
    progress.finish()
    #expect(probe.written == [
      "[00:01:00] transfer bim from a: 0/10 valid adversarials, elapsed 0.0 s, eta unknown\n",
      "[00:01:02] transfer bim from a: 3/10 valid adversarials, 8 attacked, elapsed 2.0 s, eta 4.7 s\n",
      "[00:01:02] transfer bim from a: 3/10 valid adversarials, 8 attacked, elapsed 2.0 s, stopped\n",
    ])
  }

  @Test("durations read as seconds, minutes or hours; stamps as hh:mm:ss")
  func durations() {
    #expect(AdvSpec.Progress.duration(0) == "0.0 s")
    #expect(AdvSpec.Progress.duration(99.9) == "99.9 s")
    #expect(AdvSpec.Progress.duration(125) == "2 min 05 s")
    #expect(AdvSpec.Progress.duration(7380) == "2 h 03 min")
    #expect(AdvSpec.Progress.stamp(3 * 3600 + 4 * 60 + 5.9) == "03:04:05")
    #expect(AdvSpec.Progress.stamp(100 * 3600) == "100:00:00")
  }

  @Test("lines from parallel updates are whole, one write each, without carriage returns")
  func parallel() {
    let probe = ProgressProbe()
    let progress = probe.progress("attack bim on net", total: 8000, interval: 0)
    DispatchQueue.concurrentPerform(iterations: 8) { thread in
      for i in 0..<1000 { progress.update(thread * 1000 + i + 1, note: "ASR so far 0.50") }
    }
    progress.finish()
    #expect(probe.written.count > 1)
    for text in probe.written {
      #expect(text.hasPrefix("[00:01:00] attack bim on net: ") && text.hasSuffix("\n"), "\(text)")
      #expect(text.filter { $0 == "\n" || $0 == "\r" }.count == 1, "\(text)")
    }
  }

  @Test("'off' writes nothing; a bar redraws in place and is cleared at the end")
  func styles() {
    let probe = ProgressProbe()
    let off = probe.progress("train m", total: 4, style: .off, interval: 0)
    off.update(2)
    off.finish()
    #expect(probe.written.isEmpty)
    let bar = probe.progress("train m", total: 4, style: .bar)
    bar.update(2, note: "loss 0.5000")
    bar.finish()
    #expect(probe.written.count == 2)
    #expect(probe.written.allSatisfy { $0.hasPrefix("\r") && !$0.contains("\n") })
  }

  @Test("a bar on a terminal, lines otherwise; ADV_PROGRESS_INTERVAL is a number of seconds")
  func settings() {
    #expect(AdvSpec.Progress.defaultStyle(stderrIsTerminal: true) == .bar)
    #expect(AdvSpec.Progress.defaultStyle(stderrIsTerminal: false) == .lines)
    #expect(AdvSpec.Progress.interval(fromEnvironment: ["ADV_PROGRESS_INTERVAL": "2.5"]) == 2.5)
    #expect(AdvSpec.Progress.interval(fromEnvironment: ["ADV_PROGRESS_INTERVAL": "0"]) == 0)
    #expect(AdvSpec.Progress.interval(fromEnvironment: ["ADV_PROGRESS_INTERVAL": "-1"]) == nil)
    #expect(AdvSpec.Progress.interval(fromEnvironment: ["ADV_PROGRESS_INTERVAL": "soon"]) == nil)
    #expect(AdvSpec.Progress.interval(fromEnvironment: [:]) == nil)
  }
}
