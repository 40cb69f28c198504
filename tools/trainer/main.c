/* main.c - the sample trainer: trains a small network on a toy task for
 * real and writes the run as a trajscope archive (the sample-runs/ archives).
 * Layer: tools (links libtrajscope.a; archives only through writer.h).
 * License: MIT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trainer.h"

static void usage(FILE *f) {
    fprintf(f,
            "usage: trainer PRESET [-o FILE.h5] [--echo N] [key=value ...]\n"
            "presets: grok, parity, lr-too-high, resumed\n"
            "Trains with fixed seeds and writes FILE.h5 (no file without -o);\n"
            "--echo N prints every N-th step to stdout; the last line is a\n"
            "summary with the measured phase-transition steps.\n"
            "keys: run_name created task p train_frac embed_dim hidden activation\n"
            "      loss n_bits k_bits eval_size optimizer lr lr_schedule lr_end\n"
            "      warmup_steps weight_decay beta1 beta2 eps momentum init_scale\n"
            "      batch seed steps log_every eval_every checkpoints nan_tail\n"
            "      crash_step resume_step restart_delay\n");
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    TrConfig cfg;
    if (!tr_config_preset(&cfg, argv[1])) {
        fprintf(stderr, "trainer: unknown preset '%s'\n", argv[1]);
        usage(stderr);
        return 1;
    }
    const char *path = NULL;
    long echo = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            path = argv[++i];
        } else if (strcmp(argv[i], "--echo") == 0 && i + 1 < argc) {
            echo = strtol(argv[++i], NULL, 10);
        } else {
            char msg[200];
            if (!tr_config_set(&cfg, argv[i], msg, sizeof msg)) {
                fprintf(stderr, "trainer: %s\n", msg);
                return 1;
            }
        }
    }
    if (strcmp(cfg.task, "sparse_parity") == 0) {
        if (!tr_parity_derive(&cfg)) {
            fprintf(stderr, "trainer: bad n_bits/k_bits\n");
            return 1;
        }
        return tr_run_parity(&cfg, path, echo, stdout);
    }
    if (strcmp(cfg.task, "modular_addition") == 0) return tr_run_modadd(&cfg, path, echo, stdout);
    fprintf(stderr, "trainer: unknown task '%s'\n", cfg.task);
    return 1;
}
