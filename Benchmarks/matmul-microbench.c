/* Single-thread CPU time of the decode matmul kernels, per 32-element row block, on random
   weights shaped like the default model's (576-wide rows). "hot" matrices fit in L2/L3 and
   are read 2000 times; "cold" ones (all 30 layers' gate rows, the 49152-row output) stream
   from memory. CPU time (not wall time) so the figure survives a shared, loaded machine.

     K=Sources/CArborKernels
     clang -O3 -mavx2 -mfma -mf16c -fno-math-errno -I$K/include -I$K \
           Benchmarks/matmul-microbench.c $K/[a-z]*.c -o /tmp/matmul-microbench -lpthread -lm
     /tmp/matmul-microbench 1

   chk is the sum of the outputs: it must not change when a kernel is made faster. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>
#include "arbor_kernels.h"
static double now(void){struct timespec t;clock_gettime(CLOCK_PROCESS_CPUTIME_ID,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  int threads = argc>1?atoi(argv[1]):1;
  arbor_pool *pool = arbor_pool_create(threads);
  struct {int type; long rows, cols; int reps; const char*name;} cases[] = {
    {ARBOR_TYPE_Q4_1, 1536, 576, 2000, "q4_1 1536x576 hot"},
    {ARBOR_TYPE_Q4_1, 576, 1536, 2000, "q4_1 576x1536 hot"},
    {ARBOR_TYPE_Q4_1, 1536*30, 576, 50, "q4_1 46080x576 cold"},
    {ARBOR_TYPE_Q8_0, 49152, 576, 30, "q8_0 49152x576 cold"},
    {ARBOR_TYPE_Q8_0, 1536, 576, 2000, "q8_0 1536x576 hot"},
  };
  for (int c=0;c<5;c++){
    long rows=cases[c].rows, cols=cases[c].cols; int t=cases[c].type;
    size_t wb = arbor_row_bytes(t, cols)*rows;
    uint8_t *w = aligned_alloc(64, (wb+63)/64*64);
    srand(1); for(size_t i=0;i<wb;i++) w[i]=rand();
    size_t bb = arbor_type_block_bytes(t); int nsc = (t==ARBOR_TYPE_Q4_1)?2:1;
    for(size_t b=0;b<wb/bb;b++) for(int s=0;s<nsc;s++){ uint16_t h=arbor_f32_to_f16(0.01f+0.001f*(rand()%10)); memcpy(w+b*bb+2*s,&h,2);}
    float *x = malloc(cols*4); for(long i=0;i<cols;i++) x[i]=(rand()%2000-1000)/500.0f;
    int at = arbor_activation_type(t); size_t ab = arbor_row_bytes(at, cols);
    uint8_t *a = aligned_alloc(64, (ab+63)/64*64*4); arbor_quantize_row(at, x, a, cols);
    float *out = malloc(rows*4);
    arbor_matmul(pool,out,rows,w,t,rows,cols,a,ab,1);
    double best=1e9; 
    for(int k=0;k<5;k++){ double t0=now(); for(int r=0;r<cases[c].reps;r++) arbor_matmul(pool,out,rows,w,t,rows,cols,a,ab,1); double dt=(now()-t0)/cases[c].reps; if(dt<best)best=dt;}
    double chk=0; for(long i=0;i<rows;i++) chk+=out[i];
    printf("%-24s %8.1f us  %6.2f GB/s  ns/rowblock %.3f  chk %.6g\n", cases[c].name, best*1e6, wb/best/1e9, best*1e9/(rows*cols/32.0), chk);
    free(w); free(x); free(a); free(out);
  }
  arbor_pool_destroy(pool);
}
