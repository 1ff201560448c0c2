/* A program that takes every descriptor above stderr for itself, for the recorder tests
 * (tests/unit/recorder_test.cpp; built with `cc -O0 -fno-builtin` at test time). It first closes or
 * overwrites the descriptors it inherited, as daemons and careful tools do, then opens its own
 * output file and writes numbered lines to it while allocating enough for the recorder to flush its
 * buffers many times. At the end it reads the file back: exit 0 and "intact" if it holds exactly
 * what was written, exit 1 and where it differs otherwise (a recorder writing its records into the
 * program's file).
 *
 *   own_output FILE close     close(3 .. sysconf(_SC_OPEN_MAX) - 1), one by one
 *   own_output FILE range     close_range(3, ~0U, 0) as a raw system call (nothing a preload sees)
 *   own_output FILE dup2      dup2() its own file onto every other descriptor it has open
 *   own_output FILE rawdup2   the same with the dup2/dup3 system call (nothing a preload sees) */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LINES 2000
#define ALLOCS_PER_LINE 20

/* Every open descriptor above stderr except `keep`, from /proc/self/fd. */
static int others(int keep, int* out, int max) {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0, self = dirfd(d);
  for (struct dirent* e; (e = readdir(d)) != NULL;) {
    const int fd = atoi(e->d_name);
    if (e->d_name[0] != '.' && fd > 2 && fd != keep && fd != self && n < max) out[n++] = fd;
  }
  closedir(d);
  return n;
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const char* mode = argv[2];
  if (strcmp(mode, "close") == 0) {
    const long max = sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < (max < 65536 ? max : 65536); ++fd) close((int)fd);
  } else if (strcmp(mode, "range") == 0) {
    if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0) return 2;
  }
  const int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 2;
  if (strcmp(mode, "dup2") == 0 || strcmp(mode, "rawdup2") == 0) {
    int fds[256];
    const int n = others(fd, fds, 256);
    if (n < 0) return 2;
    for (int i = 0; i < n; ++i)
      if ((mode[0] == 'd' ? dup2(fd, fds[i]) : (int)syscall(SYS_dup3, fd, fds[i], 0)) != fds[i]) return 2;
  }
  char line[64];
  for (int i = 0; i < LINES; ++i) {
    for (int k = 0; k < ALLOCS_PER_LINE; ++k) free(malloc(16 + (size_t)k));
    const int len = snprintf(line, sizeof line, "line %d of the program's own output\n", i);
    if (write(fd, line, (size_t)len) != len) return 2;
  }
  if (close(fd) != 0) return 2;

  FILE* in = fopen(argv[1], "r");
  if (!in) return 2;
  char got[256];
  for (int i = 0; i < LINES; ++i) {
    snprintf(line, sizeof line, "line %d of the program's own output\n", i);
    if (!fgets(got, sizeof got, in) || strcmp(got, line) != 0) {
      printf("corrupted at line %d\n", i);
      return 1;
    }
  }
  const int extra = fgetc(in) != EOF;
  fclose(in);
  puts(extra ? "corrupted: more than was written" : "intact");
  return extra;
}
