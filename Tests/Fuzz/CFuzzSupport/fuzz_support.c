#define _GNU_SOURCE
#include "fuzz_support.h"

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const char *library_name;
static int library_status;
static void *program_base;
static void *frames[128];

static int ours(void *frame) {
  Dl_info info;
  return dladdr(frame, &info) != 0 && info.dli_fbase == program_base;
}

// backtrace() unwinds through the signal frame: first the handler (ours), then the code that
// was running when the signal came, then its callers.
static int inside_library(void) {
  int n = backtrace(frames, 128), k = 0;
  while (k < n && ours(frames[k])) k++;
  for (; k < n && !ours(frames[k]); k++) {
    Dl_info info;
    if (dladdr(frames[k], &info) != 0 && info.dli_fname && strstr(info.dli_fname, library_name)) return 1;
  }
  return 0;
}

static void handler(int sig) {
  if (inside_library()) _exit(library_status);
  signal(sig, SIG_DFL);
  raise(sig);
}

void adv_fuzz_classify_library_crashes(const char *library, int status) {
  Dl_info info;
  if (dladdr((void *)&adv_fuzz_classify_library_crashes, &info) == 0) return;
  program_base = info.dli_fbase;
  library_name = strdup(library);
  library_status = status;
  // backtrace() loads libgcc_s on first use: do it now, not in the handler.
  backtrace(frames, 1);
  int signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    action.sa_flags = SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    sigaction(signals[i], &action, 0);
  }
}
