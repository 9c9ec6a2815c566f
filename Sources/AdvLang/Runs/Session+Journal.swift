import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// Crash safety and `--resume`: every finished step is recorded in the output directory's
/// journal (`Journal`); a resumed run replays the finished steps from it and runs the rest.
///
/// Replaying a step restores what it left in the session, without recomputing results:
/// - `seed`, `load`, `set policy`, `mixture` and `model … = load` run again (they are cheap);
///   `model … = train` and `surrogate` run again too, and find their models in the model
///   cache (or in the journal's own store when the run has none), so nothing is trained twice;
/// - the records a step added (models, attacks, surrogates, transfers, figures) come from the
///   journal, in their order, with the times they took then;
/// - an attack's adversarial images come from the journal, so `save adversarials`, `plot
///   adversarials` and the HTML report's grids show them as in an uninterrupted run;
/// - a figure's drawing comes from the journal (for `report html`); files that finished steps
///   wrote (reports, figures, `save`) are not written again;
/// - the counter that gives each `evaluate` its random stream is restored, so the steps that
///   run after the resumption draw the numbers an uninterrupted run would;
/// - what the step printed is printed again, so the output reads as one run's.
extension Session {
  /// Sets up the journal of an `adv run` whose outputs go to `outputDirectory`: a fresh one
  /// (started when the first step runs, after the script checked), or with `resume` the one an
  /// earlier run of the same script left. Throws when that run differs (script, `--seed`,
  /// engine version); returns false when `resume` found no earlier run, which then starts afresh.
  @discardableResult
  public func attachJournal(resume: Bool) throws(ResumeRefusal) -> Bool {
    guard let outputDirectory, let scriptText else { return false }
    let journal = Journal(outputDirectory: outputDirectory, identity: RunIdentity(
      version: advVersion, script: scriptName, scriptHash: report.scriptHash, scriptText: scriptText, seed: seedOverride))
    self.journal = journal
    guard resume else { return false }
    let earlier: RunIdentity?
    do {
      earlier = try journal.earlierIdentity()
    } catch {
      throw ResumeRefusal(directory: outputDirectory, reasons: ["its journal '\(journal.manifestPath)' is unreadable (\(error))"])
    }
    guard let earlier else { return false }
    let differences = journal.identity.differences(from: earlier)
    guard differences.isEmpty else { throw ResumeRefusal(directory: outputDirectory, reasons: differences) }
    journalState = .replaying
    return true
  }

  /// Runs step `planned`: from the journal when it finished in the run being resumed, else for
  /// real, recording it when it finishes.
  func perform(_ planned: PlannedStep) throws {
    let index = stepIndex
    stepIndex += 1
    if let shard { return try performSharded(planned, index: index, role: shard) }
    guard let journal else { return try execute(planned) }
    if journalState == .fresh {
      do {
        try journal.start()
        journalState = .recording
      } catch {
        output.warn("\(error); this run keeps no journal, and '--resume' cannot continue it")
        self.journal = nil
        return try execute(planned)
      }
    }
    if journalState == .replaying {
      switch journal.entry(index: index, step: planned) {
      case .success(let (entry, images))?:
        try replay(planned, entry, images: images)
        replayedSteps += 1
        return
      case .failure(let error)?:
        output.warn("\(error); running '\(planned.text)' again")
      case nil:
        break
      }
      endReplay()
    }
    try executeRecorded(planned, index: index, journal: journal)
  }

  /// After the last replayed step: says so, and writes `results.json` with the records replayed.
  /// (While replaying it is left as the killed run wrote it, so a kill during the replay loses
  /// nothing from it either.)
  public func endReplay() {
    guard journalState == .replaying else { return }
    journalState = .recording
    guard replayedSteps > 0 else { return }
    output.print("resumed: the \(replayedSteps) steps above finished in an earlier run; their output is repeated from its journal")
    saveResults()
  }

  /// Runs a step and records it, with what it added to the session, in the journal.
  func executeRecorded(_ planned: PlannedStep, index: Int, journal: Journal) throws {
    let (entry, images) = try executeCapturing(planned, index: index, key: journal.key(index: index, step: planned))
    do {
      try journal.record(entry, adversarials: images)
    } catch {
      output.warn("\(error); '--resume' would run '\(planned.text)' again")
    }
  }

  /// Runs step `index` and returns what it left, as a journal entry keyed `key`, with an
  /// attack's images.
  func executeCapturing(_ planned: PlannedStep, index: Int, key: String) throws -> (JournalEntry, AdversarialFile?) {
    let before = (models: report.models.count, results: report.results.count, surrogates: report.surrogates.count,
                  transfers: report.transfers.count, figures: report.figures.count, drawn: figures.count)
    let lines = PrintedLines()
    let shown = output
    output.print = { lines.all.append($0); shown.print($0) }
    output.report = { lines.all.append($0); shown.report($0) }
    defer { output = shown }
    try execute(planned)
    output = shown

    var images: AdversarialFile? = nil
    if let model = planned.step.traits.attacks { images = latestAttacks[model]?.file }
    let entry = JournalEntry(
      step: index, key: key, statement: planned.text, printed: lines.all,
      models: Array(report.models[before.models...]), results: Array(report.results[before.results...]),
      surrogates: Array(report.surrogates[before.surrogates...]), transfers: Array(report.transfers[before.transfers...]),
      figures: Array(report.figures[before.figures...]),
      drawn: figures[before.drawn...].map {
        JournalFigure(figure: $0.figure, title: $0.title, caption: $0.caption, file: $0.file, svg: $0.svg,
                      png: $0.png.map { Data($0) }, statement: $0.statement)
      },
      evaluations: evaluations, lastAttacked: lastAttacked,
      trainSeconds: definedModel(planned).flatMap { models[$0]?.trainSeconds }, adversarials: images != nil)
    return (entry, images)
  }

  /// Restores what a finished step left in the session (see the extension's summary).
  func replay(_ planned: PlannedStep, _ entry: JournalEntry, images: AdversarialFile?) throws {
    let records = report
    if planned.step.traits.runsAgainOnResume {
      let shown = output
      output.print = { _ in }
      replaying = true
      defer { (output, replaying) = (shown, false) }
      try execute(planned)
    }
    report = records
    report.models += entry.models
    report.results += entry.results
    report.surrogates += entry.surrogates
    report.transfers += entry.transfers
    report.figures += entry.figures
    figures += entry.drawn.map {
      DrawnFigure(figure: $0.figure, title: $0.title, caption: $0.caption, file: $0.file, svg: $0.svg,
                  png: $0.png.map { [UInt8]($0) }, statement: $0.statement)
    }
    if let name = definedModel(planned) { models[name]?.trainSeconds = entry.trainSeconds }
    if let name = planned.step.traits.attacks, let record = entry.results.last, let images {
      try restoreAdversarials(of: name, record: record, file: images)
    }
    evaluations = entry.evaluations
    lastAttacked = entry.lastAttacked
    // A report printed to stdout printed nothing else; it stays a report under '--quiet'.
    let printsReport = planned.step.traits.printsReport
    for line in entry.printed { (printsReport ? output.report : output.print)(line) }
  }

  /// The model a step defines, if any.
  func definedModel(_ planned: PlannedStep) -> String? {
    planned.step.traits.defines
  }

  /// An attack's images as `keep` and `attack` left them, from its record (every sample) and
  /// its adversarials file (the images returned), the originals from the model's test split.
  func restoreAdversarials(of name: String, record: AttackRecord, file: AdversarialFile) throws {
    let split = try model(name).dataset.test
    var position: [Int: Int] = [:]
    for (p, index) in split.sourceIndices.enumerated() where position[index] == nil { position[index] = p }
    let shape = Array(split.images.shape.dropFirst())
    var returned: [Int: Tensor] = [:]
    for (row, index) in file.indices.enumerated() {
      returned[index] = file.adversarials.gather(rows: [row]).reshaped(shape)
    }
    let samples = record.perSample
    kept.append(KeptAdversarials(
      model: name, record: report.results.count - 1, indices: samples.map(\.index), labels: samples.map(\.label),
      originals: samples.map { s in position[s.index].map { split.batch([$0]).images.reshaped(shape) } ?? Tensor(zeros: shape) },
      adversarials: samples.map { returned[$0.index] }, adversarialLabels: samples.map(\.adversarialLabel)))
    latestAttacks[name] = LatestAttack(file: file, attack: file.metadata["attack"] ?? record.attack)
  }

  /// Where trained models are looked up: the model cache, or while replaying a run without
  /// one, the journal's store.
  var modelLookup: ModelCache? { cache ?? shard?.store.models ?? (replaying ? journal?.modelStore : nil) }

  /// Where trained models are stored: the model cache, or the journal's store so that a run
  /// without the cache is resumed without training again.
  var modelStore: ModelCache? { cache ?? shard?.store.models ?? journal?.modelStore }
}

/// Where a session's journal is: not started, replaying finished steps, or recording new ones.
enum JournalState {
  case fresh, replaying, recording
}

/// Lines a step printed (a class: the print closure outlives the call that makes it).
final class PrintedLines {
  var all: [String] = []
}
