import AdvSpec
import Foundation

/// `adv submit FILE --slurm`: checks the script, writes the batch scripts of its sweep under
/// `DIR/slurm/` and submits them with `sbatch`, the one program it runs.
extension Runner {
  /// What `adv submit` was asked for, besides the script.
  public struct SubmitRequest: Sendable {
    public var outputDirectory: String?
    public var shards: Int?
    public var adv: String?
    public var cache: String?
    public var options: SlurmSubmission.Options
    public var dryRun: Bool

    public init(outputDirectory: String? = nil, shards: Int? = nil, adv: String? = nil, cache: String? = nil,
                options: SlurmSubmission.Options = .init(), dryRun: Bool = false) {
      (self.outputDirectory, self.shards, self.adv, self.cache) = (outputDirectory, shards, adv, cache)
      (self.options, self.dryRun) = (options, dryRun)
    }
  }

  /// The number of model units in `plan` (each trained, loaded, surrogate or mixture model):
  /// the default number of shards, or 4 when there are none.
  static func defaultShardCount(_ plan: Plan) -> Int {
    let models = plan.filter { $0.step.traits.kind == .model }.count
    return models > 0 ? models : 4
  }

  /// The absolute path of this program (argv[0] may be a bare name found on PATH).
  static func runningExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }

  /// `path` made absolute against the current directory, `..` and `.` resolved.
  static func absolutePath(_ path: String) -> String {
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    return (absolute as NSString).standardizingPath
  }

  /// The submission `adv submit` would make for the script at `path`, or nil after saying on
  /// stderr why there is none (an unreadable or wrong script).
  static func slurmSubmission(_ path: String, _ request: SubmitRequest) -> (SlurmSubmission?, Int32) {
    guard let text = readScriptOrReport(path) else { return (nil, ExitStatus.unreadableScript) }
    let outDir = request.outputDirectory ?? defaultOutputDirectory(for: path)
    let rules = FileRules(outputDirectory: outDir, allowedWrites: [], fileSystem: LocalFileSystem())
    var checker = Checker(vocabulary: .standard, files: rules)
    let source = SourceFile(name: path, text: text)
    let plan: Plan
    switch checker.check(source) {
    case .failure(let failure):
      standardError(failure.rendered(in: source))
      return (nil, ExitStatus.scriptError)
    case .success(let steps):
      plan = steps
    }
    let out = absolutePath(outDir)
    let submission = SlurmSubmission(
      adv: absolutePath(request.adv ?? runningExecutable()), script: path, outputDirectory: out,
      cache: absolutePath(request.cache ?? out + "/cache"), workingDirectory: FileManager.default.currentDirectoryPath,
      shards: request.shards ?? defaultShardCount(plan), options: request.options)
    return (submission, ExitStatus.success)
  }

  /// `adv submit FILE --slurm`: writes `DIR/slurm/{train,attack,merge}.sbatch` and submits them in
  /// order, each after the one before succeeds; prints the job ids. With `dryRun`, prints the
  /// scripts and the `sbatch` command lines instead and submits nothing.
  public static func submitToSlurm(_ path: String, _ request: SubmitRequest,
                                   sbatch: (([String]) -> Result<String, SubmitError>)? = nil) -> Int32 {
    let (made, status) = slurmSubmission(path, request)
    guard let submission = made else { return status }
    if request.dryRun {
      print(dryRunText(submission), terminator: "")
      return ExitStatus.success
    }
    do {
      try FileManager.default.createDirectory(atPath: submission.logDirectory, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(atPath: submission.cache, withIntermediateDirectories: true)
      for job in submission.jobs { try writeAtomically(job.script, to: job.path) }
    } catch {
      standardError("error: cannot write the batch scripts under '\(submission.slurmDirectory)': \(error)\n")
      return ExitStatus.runtimeError
    }
    let submit = sbatch ?? runSbatch
    var ids: [SlurmSubmission.Job.Role: String] = [:]
    for job in submission.jobs {
      let args = submission.sbatchArguments(job, dependency: job.after.flatMap { ids[$0] })
      switch submit(args) {
      case .failure(let error):
        standardError("error: \(error)\n")
        if !ids.isEmpty {
          let submitted = SlurmSubmission.Job.Role.allCases.compactMap { ids[$0] }.joined(separator: " ")
          standardError("jobs already submitted: \(submitted) ('scancel \(submitted)' cancels them)\n")
        }
        return ExitStatus.runtimeError
      case .success(let output):
        // --parsable prints "jobid" or "jobid;cluster".
        let id = String(output.split(separator: ";").first ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        ids[job.role] = id
        print("submitted \(job.role.rawValue) job \(id): \(submission.jobName(job.role))"
              + (job.role == .merge ? "" : " (\(submission.shards) tasks)"))
      }
    }
    print("logs: \(submission.logDirectory)/; results: \(submission.outputDirectory)/results.json after job \(ids[.merge] ?? "?")")
    return ExitStatus.success
  }

  /// The batch scripts, then the `sbatch` command lines with `$TRAIN_JOB` and `$ATTACK_JOB` for
  /// the ids Slurm would give.
  static func dryRunText(_ submission: SlurmSubmission) -> String {
    var text = ""
    for job in submission.jobs {
      text += "# \(job.path)\n" + job.script + "\n"
    }
    text += "# submitted in this order (--dry-run: nothing was written or submitted)\n"
    for job in submission.jobs {
      let dependency = job.after.map { "$\($0.rawValue.uppercased())_JOB" }
      // The placeholders stay unquoted, so the printed lines run as a shell script.
      let args = submission.sbatchArguments(job, dependency: dependency)
        .map { $0.hasPrefix("--dependency=") ? $0 : shellQuoted($0) }
      let line = "sbatch " + args.joined(separator: " ")
      text += job.role == .merge ? line + "\n" : "\(job.role.rawValue.uppercased())_JOB=$(\(line))\n"
    }
    return text
  }

  /// Why `sbatch` gave no job id.
  public struct SubmitError: Error, CustomStringConvertible, Sendable {
    public let description: String
  }

  /// Runs `sbatch ARGS` (found on PATH) and returns what it printed.
  static func runSbatch(_ args: [String]) -> Result<String, SubmitError> {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
    guard let exe = dirs.map({ "\($0)/sbatch" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
      return .failure(SubmitError(description: "'sbatch' is not on PATH; is this a Slurm login node?"))
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: exe)
    process.arguments = args
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch {
      return .failure(SubmitError(description: "cannot run '\(exe)': \(error)"))
    }
    let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let said = errors.trimmingCharacters(in: .whitespacesAndNewlines)
      return .failure(SubmitError(description: "'sbatch \(args.joined(separator: " "))' failed (status \(process.terminationStatus))" + (said.isEmpty ? "" : ": " + said)))
    }
    return .success(output)
  }
}
