/* The recorder's raw log: what libspanscope-record.so writes and the converter reads.
 * Plain C so the preload library (C, no libstdc++) and the C++ converter share one definition.
 * A log is one file per recorded process: a header, then fixed-size records in flush order
 * (each thread's records ascend by seq; the converter merges all of them by seq). */
#ifndef SPANSCOPE_RAW_RECORD_H
#define SPANSCOPE_RAW_RECORD_H

#include <stdint.h>

#define SPANSCOPE_RAW_MAGIC "SPSCRAW1" /* 8 bytes, no terminator in the file */
#define SPANSCOPE_RAW_VERSION 1
/* The directory the preload library writes "<pid>.raw" into; set by `spanscope-cli record`. */
#define SPANSCOPE_RECORD_DIR_ENV "SPANSCOPE_RECORD_DIR"
#define SPANSCOPE_RECORD_LIB_NAME "libspanscope-record.so"

struct spanscope_raw_header {
  char magic[8];
  uint32_t version;
  uint32_t record_size; /* sizeof(struct spanscope_raw_record) */
  uint64_t pid;
  uint64_t start_ns; /* CLOCK_MONOTONIC when the recorder started */
  uint64_t page_size;
  /* 0, or the errno of the first write to this log that failed (ENOSPC, EFBIG, EIO...): the
   * recorder stopped writing there and the log is incomplete. Written in place over the header,
   * which needs no new space on a full disk. Older logs hold 0 here (it was reserved). */
  uint64_t write_error;
  uint64_t reserved[2];
};

/* One call, or one half of a realloc. Native byte order (the log never leaves the machine). */
struct spanscope_raw_record {
  uint64_t seq;     /* global order: taken after the real call for allocations, before it for frees */
  uint64_t time_ns; /* CLOCK_MONOTONIC, read right after seq */
  uint64_t ptr;     /* the block; 0 = the allocation failed */
  uint64_t size;    /* requested bytes (calloc: nmemb*size; UINT64_MAX if that overflows) */
  uint64_t aux;     /* alignment for the aligned family; the old block for the realloc halves */
  uint32_t tid;     /* kernel thread id */
  uint8_t op;       /* enum spanscope_raw_op */
  uint8_t reserved[3];
};

enum spanscope_raw_op {
  SPANSCOPE_OP_MALLOC = 1,
  SPANSCOPE_OP_CALLOC = 2,
  SPANSCOPE_OP_REALLOC = 3,           /* the new block (ptr), aux = old block or 0 */
  SPANSCOPE_OP_REALLOC_FREE = 4,      /* the old block (ptr) released by a realloc; size = the new size */
  SPANSCOPE_OP_REALLOCARRAY = 5,      /* as REALLOC */
  SPANSCOPE_OP_REALLOCARRAY_FREE = 6, /* as REALLOC_FREE */
  SPANSCOPE_OP_FREE = 7,
  SPANSCOPE_OP_POSIX_MEMALIGN = 8,
  SPANSCOPE_OP_ALIGNED_ALLOC = 9,
  SPANSCOPE_OP_MEMALIGN = 10,
  SPANSCOPE_OP_VALLOC = 11,
  SPANSCOPE_OP_PVALLOC = 12,
  SPANSCOPE_OP_EXIT = 13, /* the process ran its exit handlers: buffers were flushed here */
  SPANSCOPE_OP_LAST = SPANSCOPE_OP_EXIT
};

#endif
