import AdvAttacks
import AdvReport
import AdvSpec
import AdvTensor
import Foundation

/// Where files go and what is written: input and output paths, reports, `results.json`.
extension Session {
  /// A relative input path is read from the working directory, or else from the output
  /// directory, where `save` puts files: `save m to "m.safetensors"` then `load "m.safetensors"`.
  func resolveInput(_ path: String) -> String {
    if path.hasPrefix("/") || FileManager.default.fileExists(atPath: path) { return path }
    let inOutput = resolve(path)
    return FileManager.default.fileExists(atPath: inOutput) ? inOutput : path
  }

  func resolve(_ path: String) -> String {
    if path.hasPrefix("/") || outputDirectory == nil { return path }
    return (outputDirectory! as NSString).appendingPathComponent(path)
  }

  func writeReport(_ format: ReportFormat, path: String?) throws {
    // A page of HTML is no use on a terminal: without `to` it goes to report.html.
    let path = format == .html && path == nil ? "report.html" : path
    let text = format == .html ? htmlReport() : render(report, as: format)
    if let path {
      let target = resolve(path)
      try writeAtomically(text, to: target)
      output.print("wrote \(format.rawValue) report to \(target)")
    } else {
      output.print(text)
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
    let target = resolve(path)
    try latest.file.write(to: target)
    output.print("saved \(latest.file.count) adversarials of \(model) (\(latest.attack)) to \(target)")
  }

  /// Keeps `results.json` in the output directory current after every result, so nothing
  /// computed is lost if a later statement fails or is interrupted. Not while a resumed run
  /// replays finished steps: the file keeps every record until the replay has them all.
  func saveResults() {
    guard let dir = outputDirectory, journalState != .replaying else { return }
    do {
      try writeAtomically(render(report, as: .json), to: (dir as NSString).appendingPathComponent("results.json"))
    } catch {
      output.warn("\(error)")
    }
  }
}
