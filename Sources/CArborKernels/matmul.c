/* Matrix times many vectors, split by weight rows across threads. Each output element is
   exactly one vec_dot call, so the result is independent of thread count and batch size. */
#include "kernels_internal.h"

typedef struct {
    float *out;
    int64_t out_stride;
    const uint8_t *w;
    size_t w_row;
    int64_t n_rows, n_cols;
    const uint8_t *act;
    size_t act_stride;
    int64_t n_tok;
    arbor_vec_dot_fn dot;
    arbor_vec_dot_x4_fn dot4; /* NULL, or four tokens at once, bit-identical to four dot calls */
    arbor_vec_dot_r4_fn dot_r4; /* NULL, or four rows at once, bit-identical to four dot calls */
} matmul_job;

#define ROW_TILE 16

static void matmul_task(void *p, int ith, int nth) {
    const matmul_job *j = p;
    int64_t per = (j->n_rows + nth - 1) / nth;
    int64_t r0 = per * ith, r1 = r0 + per < j->n_rows ? r0 + per : j->n_rows;
    for (int64_t rt = r0; rt < r1; rt += ROW_TILE) {
        int64_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;
        int64_t t = 0;
        if (j->dot4) {
            for (; t + 4 <= j->n_tok; t += 4) {
                const uint8_t *a = j->act + (size_t)t * j->act_stride;
                float *o = j->out + t * j->out_stride;
                for (int64_t r = rt; r < re; r++) {
                    float v[4];
                    j->dot4(j->n_cols, j->w + (size_t)r * j->w_row, a, j->act_stride, v);
                    for (int k = 0; k < 4; k++) o[k * j->out_stride + r] = v[k];
                }
            }
        }
        for (; t < j->n_tok; t++) {
            const uint8_t *a = j->act + (size_t)t * j->act_stride;
            float *o = j->out + t * j->out_stride;
            int64_t r = rt;
            if (j->dot_r4)
                for (; r + 4 <= re; r += 4) j->dot_r4(j->n_cols, j->w + (size_t)r * j->w_row, j->w_row, a, o + r);
            for (; r < re; r++) o[r] = j->dot(j->n_cols, j->w + (size_t)r * j->w_row, a);
        }
    }
}

void arbor_matmul(arbor_pool *pool, float *restrict out, int64_t out_stride,
                  const void *restrict w, int wtype, int64_t n_rows, int64_t n_cols,
                  const void *restrict act, size_t act_stride, int64_t n_tok) {
    matmul_job job = {
        .out = out, .out_stride = out_stride, .w = w, .w_row = arbor_row_bytes(wtype, n_cols),
        .n_rows = n_rows, .n_cols = n_cols, .act = act, .act_stride = act_stride,
        .n_tok = n_tok, .dot = arbor_vec_dot_for(wtype),
    };
    if (!job.dot) return;
    job.dot4 = arbor_vec_dot_x4_for(wtype, job.dot);
    job.dot_r4 = arbor_vec_dot_r4_for(wtype, job.dot);
    arbor_pool_run(pool, matmul_task, &job);
}
