/* The floor for ingest: json-c's own parse rate of an NDJSON file, one json_tokener_parse per line.
 * bench/run compiles it with `cc -O2 jsonc_parse.c $(pkg-config --cflags --libs json-c)`.
 * Usage: jsonc_parse FILE  ->  prints one JSON line: {"lines":N,"failed":F,"seconds":S,"per_second":R}
 * The file is read into memory first, so only parsing is timed; the best of 3 passes counts (the machine
 * is shared, the best pass is the least disturbed one). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    if (fseek(f, 0, SEEK_END) != 0) { perror("fseek"); return 2; }
    long size = ftell(f);
    if (size < 0) { perror("ftell"); return 2; }
    rewind(f);
    char *buf = malloc((size_t)size + 1);
    if (!buf) { fprintf(stderr, "out of memory\n"); return 2; }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) { fprintf(stderr, "short read\n"); return 2; }
    buf[size] = '\0';
    fclose(f);

    char *work = malloc((size_t)size + 1);
    if (!work) { fprintf(stderr, "out of memory\n"); return 2; }
    long lines = 0, failed = 0;
    double seconds = 0;
    for (int pass = 0; pass < 3; pass++) {
    memcpy(work, buf, (size_t)size + 1);
    lines = 0; failed = 0;
    double start = now();
    char *p = work, *end = work + size;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) nl = end;
        *nl = '\0';                     /* json_tokener_parse wants a C string: terminate the line in place */
        if (nl > p) {
            struct json_object *o = json_tokener_parse(p);
            if (o) json_object_put(o); else failed++;
            lines++;
        }
        p = nl + 1;
    }
    double elapsed = now() - start;
    if (pass == 0 || elapsed < seconds) seconds = elapsed;
    }
    printf("{\"lines\":%ld,\"failed\":%ld,\"seconds\":%.6f,\"per_second\":%.0f}\n",
           lines, failed, seconds, seconds > 0 ? (double)lines / seconds : 0.0);
    free(work);
    free(buf);
    return failed ? 1 : 0;
}
