import AdvAttacks
import AdvNN
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// Where files go and what is written: input and output paths, reports, `results.json`, the
/// inputs read.
///
/// Nothing is replaced silently. The first result of a session moves an earlier run's
/// `results.json` in the same output directory to `results-N.json` (the next free number); a
/// file a statement writes (`save`, `report … to`, `plot`) that existed before the session
/// wrote it is replaced with a printed note `replacing …`.
extension Session {
  /// A relative input path is read from the working directory, or else from the output
  /// directory, where `save` puts files: `save m to "m.safetensors"` then `load "m.safetensors"`.
  func resolveInput(_ path: String) -> String {
    FileRules.inputPath(path, in: outputDirectory) { FileManager.default.fileExists(atPath: $0) }
  }

  func resolve(_ path: String) -> String {
    FileRules.outputPath(path, in: outputDirectory)
  }

  /// Where a statement writes `path`, after a note when that replaces a file from before this
  /// session (a file the session wrote itself is replaced quietly: a report in a loop).
  func outputTarget(_ path: String) -> String {
    let target = resolve(path)
    if writtenFiles.insert(target).inserted && FileManager.default.fileExists(atPath: target) {
      output.print("replacing \(target), which existed before this run")
    }
    return target
  }

  /// `results-N.json` in `directory` with the smallest N ≥ 1 that is free.
  static func freeResultsPath(in directory: String) -> String {
    var n = 1
    while true {
      let path = (directory as NSString).appendingPathComponent("results-\(n).json")
      if !FileManager.default.fileExists(atPath: path) { return path }
      n += 1
    }
  }

  func writeReport(_ format: ReportFormat, path: String?) throws {
    let path = path ?? format.defaultFile
    let text = format == .html ? htmlReport() : render(report, as: format)
    if let path {
      let target = outputTarget(path)
      try writeAtomically(text, to: target)
      output.print("wrote \(format.rawValue) report to \(target)")
    } else {
      output.report(text)
    }
  }

  /// Writes the adversarial images of the latest attack on `name` (of the latest attack of all
  /// when `name` is nil) to `path` (relative to the output directory) as a safetensors file
  /// (`AdversarialFile`): the returned images, their originals, test indices, true and adversarial
  /// labels, and the attack's settings in the metadata.
  public func saveAdversarials(of name: String?, to path: String) throws {
    guard let model = name ?? lastAttacked else {
      throw RuntimeError(message: "no attack has run yet, so there are no adversarials to save")
    }
    guard let latest = latestAttacks[model] else {
      throw RuntimeError(message: "'\(model)' has not been attacked yet, so it has no adversarials to save")
    }
    let target = outputTarget(path)
    try latest.file.write(to: target)
    output.print("saved \(latest.file.count) adversarials of \(model) (\(latest.attack)) to \(target)")
  }

  /// Keeps `results.json` in the output directory current after every result, so nothing
  /// computed is lost if a later statement fails or is interrupted. The first write of a fresh
  /// run moves an earlier run's `results.json` to `results-N.json`; a resumed run continues its
  /// own. Not while a resumed run replays finished steps: the file keeps every record until the
  /// replay has them all.
  func saveResults() {
    guard let dir = outputDirectory, journalState != .replaying, shard?.writesResults ?? true else { return }
    let path = (dir as NSString).appendingPathComponent("results.json")
    if !resultsStarted {
      resultsStarted = true
      if replayedSteps == 0 && FileManager.default.fileExists(atPath: path) {
        let kept = Session.freeResultsPath(in: dir)
        if rename(path, kept) == 0 {
          output.print("kept the earlier \(path) as \(kept)")
        } else {
          output.warn("cannot keep the earlier \(path) as \(kept): \(String(cString: strerror(errno))); replacing it")
        }
      }
    }
    do {
      try writeAtomically(render(report, as: .json), to: path)
    } catch {
      output.warn("\(error)")
    }
  }

  // MARK: Inputs

  /// Lists the checkpoint at `path` among the inputs, with its size and SHA-256.
  func recordCheckpoint(_ path: String, statement: String) {
    let data = FileManager.default.contents(atPath: path)
    recordInput(InputRecord(path: path, kind: "checkpoint", size: data?.count, sha256: data.map { sha256(of: $0) },
                            statement: statement))
  }

  /// Lists the data directory at `path` among the inputs, with the files its reader opened.
  func recordDataDirectory(_ path: String, files: DataFiles, statement: String) {
    let located = (try? files.locate(in: path, isFile: { LocalFileSystem().kind(of: $0).isFile }).get()) ?? []
    let read = located.flatMap { $0 }.map { file in
      InputRecord(path: file, kind: "file", size: (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil)
    }
    recordInput(InputRecord(path: path, kind: "data", files: read, statement: statement))
  }

  /// Adds `record` unless the same input (path and contents) is listed already.
  func recordInput(_ record: InputRecord) {
    let known = report.inputs.contains {
      $0.path == record.path && $0.kind == record.kind && $0.sha256 == record.sha256 && $0.files == record.files
    }
    if !known { report.inputs.append(record) }
  }
}
