@testable import AdvLang
import Foundation
import Testing

/// `adv submit --slurm`: the batch scripts and the order and dependencies of the `sbatch` calls.
/// (`make slurm-test` submits to a real Slurm.)
@Suite("slurm submission")
struct SlurmSubmissionTests {
  static func submission(shards: Int = 4, options: SlurmSubmission.Options = .init()) -> SlurmSubmission {
    SlurmSubmission(adv: "/opt/adv/bin/adv", script: "/home/r/sweep.adv", outputDirectory: "/scratch/r/out",
                    cache: "/scratch/r/out/cache", workingDirectory: "/home/r", shards: shards, options: options)
  }

  @Test("the training array runs one shard per task, with every option the user gave")
  func trainingScript() {
    let s = Self.submission(options: .init(partition: "cpu", time: "4:00:00", cpus: 8, arrayParallel: 2))
    #expect(s.jobs[0].path == "/scratch/r/out/slurm/train.sbatch")
    #expect(s.jobs[0].script == """
      #!/bin/bash
      # adv submit: trains the models of sweep in 4 shards (and runs what the time allows).
      # Submitted by 'adv submit' after the job it depends on; to resubmit, run 'adv submit' again.
      #SBATCH --job-name=adv-train-sweep
      #SBATCH --array=1-4%2
      #SBATCH --output=/scratch/r/out/slurm/logs/%x-%A_%a.out
      #SBATCH --chdir=/home/r
      #SBATCH --partition=cpu
      #SBATCH --time=4:00:00
      #SBATCH --cpus-per-task=8
      #SBATCH --ntasks=1
      set -euo pipefail
      export ADV_CACHE=/scratch/r/out/cache
      export OMP_NUM_THREADS="${SLURM_CPUS_PER_TASK}"
      exec /opt/adv/bin/adv run /home/r/sweep.adv --shard "${SLURM_ARRAY_TASK_ID}/4" --out /scratch/r/out

      """)
  }

  @Test("without options the scripts leave partition, time and CPUs to the cluster's defaults")
  func noOptions() {
    let script = Self.submission(shards: 3).jobs[1].script
    #expect(script.contains("#SBATCH --array=1-3\n"))
    #expect(script.contains("#SBATCH --job-name=adv-attack-sweep\n"))
    for absent in ["--partition", "--time", "--cpus-per-task", "OMP_NUM_THREADS"] {
      #expect(!script.contains(absent), "\(absent)")
    }
  }

  @Test("the merge job is one task that merges the output directory")
  func mergeScript() {
    let merge = Self.submission().jobs[2]
    #expect(merge.role == .merge && merge.after == .attack)
    #expect(!merge.script.contains("--array"))
    #expect(merge.script.contains("#SBATCH --output=/scratch/r/out/slurm/logs/%x-%j.out\n"))
    #expect(merge.script.hasSuffix("exec /opt/adv/bin/adv merge /scratch/r/out /home/r/sweep.adv\n"))
  }

  @Test("each job after the first waits for the one before to succeed, and is cancelled if it fails")
  func dependencies() {
    let s = Self.submission()
    #expect(s.jobs.map(\.after) == [nil, .train, .attack])
    #expect(s.sbatchArguments(s.jobs[0], dependency: nil) == ["--parsable", "/scratch/r/out/slurm/train.sbatch"])
    #expect(s.sbatchArguments(s.jobs[1], dependency: "17")
            == ["--parsable", "--dependency=afterok:17", "--kill-on-invalid-dep=yes", "/scratch/r/out/slurm/attack.sbatch"])
  }

  @Test("paths with spaces or quotes become single shell words")
  func quoting() {
    #expect(shellQuoted("/a/b-c_d.adv") == "/a/b-c_d.adv")
    #expect(shellQuoted("/my runs/it's.adv") == "'/my runs/it'\\''s.adv'")
    #expect(shellQuoted("") == "''")
    #expect(shellQuoted("$HOME") == "'$HOME'")
  }

  @Test("--dry-run prints the scripts and the sbatch lines with placeholders for the ids")
  func dryRun() {
    let text = Runner.dryRunText(Self.submission())
    #expect(text.hasPrefix("# /scratch/r/out/slurm/train.sbatch\n#!/bin/bash\n"))
    #expect(text.hasSuffix("""
      # submitted in this order (--dry-run: nothing was written or submitted)
      TRAIN_JOB=$(sbatch --parsable /scratch/r/out/slurm/train.sbatch)
      ATTACK_JOB=$(sbatch --parsable --dependency=afterok:$TRAIN_JOB --kill-on-invalid-dep=yes /scratch/r/out/slurm/attack.sbatch)
      sbatch --parsable --dependency=afterok:$ATTACK_JOB --kill-on-invalid-dep=yes /scratch/r/out/slurm/merge.sbatch

      """))
  }

  /// A script with `models` trained models, written to a temporary directory.
  func scriptFile(models: Int) throws -> (dir: String, file: String) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("adv-submit-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var text = "seed 1\nload mnist train=200 test=50\n"
    for m in 0..<models { text += "model m\(m) = train mlp epochs=1 hidden=8\nattack bim on m\(m) samples=5\n" }
    try text.write(toFile: dir + "/sweep.adv", atomically: true, encoding: .utf8)
    return (dir, dir + "/sweep.adv")
  }

  @Test("the number of shards defaults to the number of models, or 4 without models")
  func defaultShards() throws {
    for (models, shards) in [(3, 3), (1, 1), (0, 4)] {
      let (dir, file) = try scriptFile(models: models)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let (made, status) = Runner.slurmSubmission(file, .init(outputDirectory: dir + "/out"))
      #expect(status == 0)
      #expect(made?.shards == shards, "\(models) models")
      #expect(made?.cache == dir + "/out/cache")
      #expect(made?.adv.hasPrefix("/") == true)
    }
  }

  @Test("submitting writes the three scripts and chains the ids sbatch prints")
  func submitsInOrder() throws {
    let (dir, file) = try scriptFile(models: 2)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var calls: [[String]] = []
    let status = Runner.submitToSlurm(file, .init(outputDirectory: dir + "/out", adv: "/bin/adv")) { args in
      calls.append(args)
      return .success("\(100 + calls.count);cluster\n")
    }
    #expect(status == 0)
    #expect(calls.map { $0.filter { $0.hasPrefix("--dependency") } } == [[], ["--dependency=afterok:101"], ["--dependency=afterok:102"]])
    #expect(calls.map { ($0.last! as NSString).lastPathComponent } == ["train.sbatch", "attack.sbatch", "merge.sbatch"])
    for role in ["train", "attack", "merge"] {
      let script = try String(contentsOfFile: dir + "/out/slurm/\(role).sbatch", encoding: .utf8)
      #expect(script.contains("exec /bin/adv "), "\(role)")
    }
    #expect(FileManager.default.fileExists(atPath: dir + "/out/slurm/logs"), "Slurm does not create log directories")
  }

  @Test("a script with errors submits nothing")
  func scriptErrors() throws {
    let (dir, file) = try scriptFile(models: 0)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try "load mnist\nattack bim on nobody\n".write(toFile: file, atomically: true, encoding: .utf8)
    var called = false
    let status = Runner.submitToSlurm(file, .init(outputDirectory: dir + "/out")) { _ in called = true; return .success("1") }
    #expect(status == 65)
    #expect(!called)
    #expect(!FileManager.default.fileExists(atPath: dir + "/out/slurm"))
  }
}
