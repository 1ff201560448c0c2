/* Part of the recorder test program (alloc_sequence.c): a shared library whose destructor frees a
 * block. The dynamic linker finalizes it after the preloaded recorder, so this free comes after the
 * recorder's exit flush and reaches the log only because later records are written one by one. */
#include <stdlib.h>

void* exit_free_block;

__attribute__((destructor)) static void free_at_exit(void) { free(exit_free_block); }
