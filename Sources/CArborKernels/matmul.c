/* Matrices times many vectors, split by weight rows across threads. Each output element is
   exactly one vec_dot call (or a multi-row/multi-token kernel bit-identical to it), so the
   result is independent of thread count, batch size and how the rows are grouped. Several
   matrices that read the same activations (q, k, v; gate, up) run as one job: their rows
   are one row space cut into chunks, so the threads meet once instead of once per matrix. */
#include <stdatomic.h>
#include <stdlib.h>

#include "kernels_internal.h"

typedef struct {
    float *out;
    int64_t out_stride;
    const uint8_t *w;
    size_t w_row;
    int64_t n_rows;
    int64_t first_row; /* where this matrix starts in the job's combined row space */
    arbor_vec_dot_fn dot;
    arbor_vec_dot_x8_fn dot8;   /* NULL, or eight tokens at once, bit-identical to eight dot calls */
    arbor_vec_dot_x4_fn dot4;   /* NULL, or four tokens at once, bit-identical to four dot calls */
    arbor_vec_dot_r4_fn dot_r4; /* NULL, or four rows at once, bit-identical to four dot calls */
} matmul_matrix;

typedef struct {
    matmul_matrix m[ARBOR_MATMUL_MAX_PARTS];
    int n_parts;
    int64_t total_rows, n_cols;
    const uint8_t *act;
    size_t act_stride;
    int64_t n_tok;
} matmul_job;

#define ROW_TILE 16

/* 1 on, 0 off, -1 not decided yet: then the environment variable ARBOR_MULTI_TOKEN=0 turns
   them off, so that a benchmark can measure the gain in the same build and run. */
static _Atomic int multi_token = -1;

void arbor_set_multi_token(int on) { multi_token = on ? 1 : 0; }

static int multi_token_on(void) {
    int on = multi_token;
    if (on < 0) {
        const char *e = getenv("ARBOR_MULTI_TOKEN");
        on = !(e && strcmp(e, "0") == 0);
        multi_token = on;
    }
    return on;
}

/* Tokens [t, ...) in groups of `width` through a multi-token kernel, for rows [rt, re);
   returns the first token it left (fewer than `width` remain). */
static inline int64_t token_groups(const matmul_job *j, const matmul_matrix *m, int64_t rt, int64_t re, int64_t t,
                            int width, arbor_vec_dot_x4_fn dot) {
    for (; t + width <= j->n_tok; t += width) {
        const uint8_t *a = j->act + (size_t)t * j->act_stride;
        float *o = m->out + t * m->out_stride;
        for (int64_t r = rt; r < re; r++) {
            float v[8];
            dot(j->n_cols, m->w + (size_t)r * m->w_row, a, j->act_stride, v);
            for (int k = 0; k < width; k++) o[k * m->out_stride + r] = v[k];
        }
    }
    return t;
}

/* Rows [r0, r1) of one matrix for every token. */
static void matmul_rows(const matmul_job *j, const matmul_matrix *m, int64_t r0, int64_t r1) {
    for (int64_t rt = r0; rt < r1; rt += ROW_TILE) {
        int64_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;
        int64_t t = 0;
        if (m->dot8) t = token_groups(j, m, rt, re, t, 8, m->dot8);
        if (m->dot4) t = token_groups(j, m, rt, re, t, 4, m->dot4);
        for (; t < j->n_tok; t++) {
            const uint8_t *a = j->act + (size_t)t * j->act_stride;
            float *o = m->out + t * m->out_stride;
            int64_t r = rt;
            if (m->dot_r4)
                for (; r + 4 <= re; r += 4) m->dot_r4(j->n_cols, m->w + (size_t)r * m->w_row, m->w_row, a, o + r);
            for (; r < re; r++) o[r] = m->dot(j->n_cols, m->w + (size_t)r * m->w_row, a);
        }
    }
}

static void matmul_task(void *p, int ith, int nth) {
    const matmul_job *j = p;
    /* chunks of whole four-row groups keep the four-row kernels busy at chunk edges */
    const int64_t per = ((j->total_rows + nth - 1) / nth + 3) / 4 * 4;
    const int64_t c0 = per * ith, c1 = c0 + per < j->total_rows ? c0 + per : j->total_rows;
    for (int i = 0; i < j->n_parts; i++) {
        const matmul_matrix *m = &j->m[i];
        const int64_t r0 = c0 > m->first_row ? c0 - m->first_row : 0;
        const int64_t r1 = c1 - m->first_row < m->n_rows ? c1 - m->first_row : m->n_rows;
        if (r0 < r1) matmul_rows(j, m, r0, r1);
    }
}

int arbor_matmul_parts(arbor_pool *pool, const arbor_matmul_part *parts, int n_parts, int64_t n_cols,
                       const void *restrict act, size_t act_stride, int64_t n_tok) {
    if (n_parts < 1 || n_parts > ARBOR_MATMUL_MAX_PARTS) return -1;
    matmul_job job = {.n_parts = n_parts, .n_cols = n_cols, .act = act, .act_stride = act_stride, .n_tok = n_tok};
    const int act_type = arbor_activation_type(parts[0].wtype);
    for (int i = 0; i < n_parts; i++) {
        const arbor_matmul_part *p = &parts[i];
        matmul_matrix *m = &job.m[i];
        if (arbor_activation_type(p->wtype) != act_type) return -1;
        m->dot = arbor_vec_dot_for(p->wtype);
        if (!m->dot) return -1;
        m->out = p->out;
        m->out_stride = p->out_stride;
        m->w = p->w;
        m->w_row = arbor_row_bytes(p->wtype, n_cols);
        m->n_rows = p->n_rows;
        m->first_row = job.total_rows;
        m->dot8 = multi_token_on() ? arbor_vec_dot_x8_for(p->wtype, m->dot) : NULL;
        m->dot4 = multi_token_on() ? arbor_vec_dot_x4_for(p->wtype, m->dot) : NULL;
        m->dot_r4 = arbor_vec_dot_r4_for(p->wtype, m->dot);
        job.total_rows += p->n_rows;
    }
    arbor_pool_run(pool, matmul_task, &job);
    return 0;
}

void arbor_matmul(arbor_pool *pool, float *restrict out, int64_t out_stride,
                  const void *restrict w, int wtype, int64_t n_rows, int64_t n_cols,
                  const void *restrict act, size_t act_stride, int64_t n_tok) {
    const arbor_matmul_part part = {.out = out, .out_stride = out_stride, .w = w, .wtype = wtype, .n_rows = n_rows};
    (void)arbor_matmul_parts(pool, &part, 1, n_cols, act, act_stride, n_tok);
}
