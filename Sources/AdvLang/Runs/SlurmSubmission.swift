import Foundation

/// The batch scripts and `sbatch` command lines of `adv submit FILE --slurm`: a sweep as three
/// Slurm jobs, each waiting for the one before it to succeed.
///
/// 1. `train`: a job array, one task per shard, `adv run FILE --shard $SLURM_ARRAY_TASK_ID/N`.
/// 2. `attack`: the same array again, `--dependency=afterok:<train>`.
/// 3. `merge`: one job, `adv merge DIR FILE`, `--dependency=afterok:<attack>`.
///
/// `adv run --shard` has no separate model phase: a shard trains the models its units need when
/// the cache lacks them and skips units already finished. So the two arrays run the same
/// command. The first trains every model (models come first in every shard's plan) and runs
/// what it has time for; the second finds the models in the shared cache (`ADV_CACHE`) and the
/// finished units on disk, and runs what is left. Splitting them keeps a sweep's long training
/// and its attacks in separate jobs with their own logs, and a finished training array is
/// never redone when an attack task is cancelled and the sweep resubmitted.
///
/// Dependent jobs carry `--kill-on-invalid-dep=yes`: when a job they wait for fails or is
/// cancelled, Slurm cancels them instead of leaving them pending for ever, so resubmitting the
/// same command is all a failure needs.
public struct SlurmSubmission: Sendable, Equatable {
  /// One job: its role, the batch script and the `sbatch` arguments (after `sbatch`, before the
  /// script path) other than its dependency.
  public struct Job: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable { case train, attack, merge }
    public let role: Role
    public let script: String
    /// The file the script is written to: `DIR/slurm/<role>.sbatch`.
    public let path: String
    /// The role of the job this one waits for (`afterok`).
    public let after: Role?
  }

  public struct Options: Sendable, Equatable {
    public var partition: String?
    /// Slurm's time format (`30`, `4:00:00`, `1-00:00:00`), passed through.
    public var time: String?
    /// `--cpus-per-task`; also each task's `OMP_NUM_THREADS`.
    public var cpus: Int?
    /// At most this many array tasks at once (`--array=1-N%K`).
    public var arrayParallel: Int?

    public init(partition: String? = nil, time: String? = nil, cpus: Int? = nil, arrayParallel: Int? = nil) {
      (self.partition, self.time, self.cpus, self.arrayParallel) = (partition, time, cpus, arrayParallel)
    }
  }

  /// Absolute paths: the `adv` binary, the output directory, the model cache, and the directory
  /// jobs start in (`--chdir`). The script's path is kept as the user gave it, relative to that
  /// directory, so `results.json` names it as a run on one machine does.
  public let adv: String
  public let script: String
  public let outputDirectory: String
  public let cache: String
  public let workingDirectory: String
  public let shards: Int
  public let options: Options

  public init(adv: String, script: String, outputDirectory: String, cache: String, workingDirectory: String,
              shards: Int, options: Options = Options()) {
    precondition(shards >= 1, "at least one shard")
    (self.adv, self.script, self.outputDirectory, self.cache) = (adv, script, outputDirectory, cache)
    (self.workingDirectory, self.shards, self.options) = (workingDirectory, shards, options)
  }

  /// `DIR/slurm`: the batch scripts.
  public var slurmDirectory: String { outputDirectory + "/slurm" }
  /// `DIR/slurm/logs`: one log per task (Slurm does not create it; `adv submit` does).
  public var logDirectory: String { slurmDirectory + "/logs" }

  /// The script's name without directory or extension: part of every job name.
  var scriptName: String { ((script as NSString).lastPathComponent as NSString).deletingPathExtension }

  public func jobName(_ role: Job.Role) -> String { "adv-\(role.rawValue)-\(scriptName)" }

  /// The three jobs in submission order.
  public var jobs: [Job] {
    [job(.train, after: nil), job(.attack, after: .train), job(.merge, after: .attack)]
  }

  func job(_ role: Job.Role, after: Job.Role?) -> Job {
    Job(role: role, script: batchScript(role), path: slurmDirectory + "/\(role.rawValue).sbatch", after: after)
  }

  /// The `sbatch` arguments of `job` (without the `sbatch` itself): `--parsable`, its dependency
  /// on `dependency` (a job id, or a placeholder such as `$TRAIN_JOB` for `--dry-run`) and the
  /// script's path.
  public func sbatchArguments(_ job: Job, dependency: String?) -> [String] {
    var args = ["--parsable"]
    if let dependency {
      args += ["--dependency=afterok:\(dependency)", "--kill-on-invalid-dep=yes"]
    }
    return args + [job.path]
  }

  /// The batch script of one role.
  func batchScript(_ role: Job.Role) -> String {
    var lines = ["#!/bin/bash"]
    switch role {
    case .train:
      lines.append("# adv submit: trains the models of \(scriptName) in \(shards) shards (and runs what the time allows).")
    case .attack:
      lines.append("# adv submit: runs what the training array left of \(scriptName)'s \(shards) shards; models come from the cache.")
    case .merge:
      lines.append("# adv submit: merges the shards of \(scriptName) into one report and results.json.")
    }
    lines.append("# Submitted by 'adv submit' after the job it depends on; to resubmit, run 'adv submit' again.")
    lines.append("#SBATCH --job-name=\(jobName(role))")
    if role == .merge {
      lines.append("#SBATCH --output=\(logDirectory)/%x-%j.out")
    } else {
      let limit = options.arrayParallel.map { "%\($0)" } ?? ""
      lines.append("#SBATCH --array=1-\(shards)\(limit)")
      lines.append("#SBATCH --output=\(logDirectory)/%x-%A_%a.out")
    }
    lines.append("#SBATCH --chdir=\(workingDirectory)")
    if let p = options.partition { lines.append("#SBATCH --partition=\(p)") }
    if let t = options.time { lines.append("#SBATCH --time=\(t)") }
    if let c = options.cpus { lines.append("#SBATCH --cpus-per-task=\(c)") }
    lines.append("#SBATCH --ntasks=1")
    lines.append("set -euo pipefail")
    // Every shard reads and writes the same model cache: entries are written atomically, so
    // concurrent writers of one entry do no harm.
    lines.append("export ADV_CACHE=\(shellQuoted(cache))")
    if options.cpus != nil {
      lines.append("export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK}\"")
    }
    switch role {
    case .train, .attack:
      lines.append("exec \(shellQuoted(adv)) run \(shellQuoted(script)) --shard \"${SLURM_ARRAY_TASK_ID}/\(shards)\" --out \(shellQuoted(outputDirectory))")
    case .merge:
      lines.append("exec \(shellQuoted(adv)) merge \(shellQuoted(outputDirectory)) \(shellQuoted(script))")
    }
    return lines.joined(separator: "\n") + "\n"
  }
}

/// `text` as one shell word: unchanged when it holds only safe characters, else in single quotes.
public func shellQuoted(_ text: String) -> String {
  let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
  if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
  return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
