/* A program whose files may not grow past 64 KiB (RLIMIT_FSIZE, set in main, SIGXFSZ ignored), for
 * the recorder tests: the recorder's log hits that limit as it would a full disk (EFBIG instead of
 * ENOSPC), without mount privileges. It then allocates far more than 64 KiB of records, and exits 0.
 * Built with `cc -O0 -fno-builtin` at test time. */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

int main(void) {
  signal(SIGXFSZ, SIG_IGN); /* a write past the limit fails with EFBIG instead of killing us */
  const struct rlimit limit = {64 * 1024, 64 * 1024};
  if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
  for (int i = 0; i < 20000; ++i) free(malloc(32)); /* 40,000 records of 48 B: 1.9 MB */
  return 0;
}
