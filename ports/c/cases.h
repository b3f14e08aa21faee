/* The cases of the C test program (issue 17): two engines on a virtual clock. */
#ifndef CASES_H
#define CASES_H

/** Supplied by the platform: prints one line (no trailing newline in `line`). */
void port_print(const char *line);

/** Runs every case with config profile `profile` ("host": engine defaults; "mcu": 4 connections,
 *  4 KiB buffers, one 64 KiB page per engine), one line per case; adds to the counts. Returns 0, or
 *  -1 for an unknown profile. */
int cases_run(const char *profile, int *passed, int *failed);

#endif /* CASES_H */
