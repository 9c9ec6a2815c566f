import CFuzzSupport

/// Tells, in a forked child that is crashing, whether the crash happened inside a C library
/// (libhdf5) rather than in our code. `adv` runs libhdf5 in a reader process of its own, whose
/// crash becomes an error naming the file (`PCamHelper`): a crash inside libhdf5 on a damaged
/// file is that library's, survived by `adv`, while a crash in our code is a finding wherever
/// it happens. The handler (CFuzzSupport) walks the crashing stack: past its own frames, the
/// frames before the first one of this program are the library code that was running.
enum LibraryCrash {
  /// The exit status of a child that crashed inside the library.
  static let exitStatus: Int32 = 87

  /// Installs the handler in this (child) process for crashes inside the library whose file
  /// name contains `name`.
  static func install(library name: String) {
    adv_fuzz_classify_library_crashes(name, exitStatus)
  }
}
