#ifndef ADV_FUZZ_SUPPORT_H
#define ADV_FUZZ_SUPPORT_H

/// In a forked child about to run one fuzz input: a crash (SIGSEGV, SIGBUS, SIGILL, SIGFPE,
/// SIGABRT) whose innermost frames, before the first frame of this program, include one in a
/// shared library whose file name contains `library` ends the child with `_exit(status)`; any
/// other crash ends it by the signal, as before.
void adv_fuzz_classify_library_crashes(const char *library, int status);

#endif
