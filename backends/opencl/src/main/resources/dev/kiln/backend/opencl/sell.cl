// SELL-C-sigma SpMV, y = A x (Kreutzer, Hager, Wellein, Fehske, Bishop, "A unified sparse matrix
// data format for efficient general sparse matrix-vector multiplication on modern processors
// with wide SIMD units", SIAM J. Sci. Comput. 36(5), 2014, section 2). Rows come in chunks of
// SELL_C, each chunk stored column-major and padded to its longest row, so SELL_C consecutive
// work-items read SELL_C consecutive values and indices per step (coalesced on a GPU, one
// vector load across work-items under PoCL's work-group vectoriser). The layout is built on
// the host by SellLayout; padding has value 0 and column 0, and slot i's row is perm[i]
// (-1 for the padding rows of the last chunk).
//
// Specialised at build time with -D:
//   KILN_FP64  defined: arithmetic in double (needs cl_khr_fp64); otherwise float
//   SELL_C     rows per chunk
// No barriers, so any work-group size works. One work-item per slot, not a grid-stride loop:
// under PoCL 3.1 the grid-stride form (16 work-groups) ran poisson2d 1024 at 1.3 GB/s, this one
// at 5.6-7 GB/s (2 loaded cores; see ARCHITECTURE.md, OpenCL section).

#ifdef KILN_FP64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#ifndef REAL
#define REAL real
#endif

__kernel void sell_spmv(const int slots,
                        __global const int* restrict chunkPtr,
                        __global const int* restrict chunkLen,
                        __global const int* restrict cols,
                        __global const REAL* restrict values,
                        __global const int* restrict perm,
                        __global const REAL* restrict x,
                        __global REAL* restrict y) {
    const int i = get_global_id(0);
    if (i < slots) {
        const int chunk = i / SELL_C;
        int k = chunkPtr[chunk] + (i - chunk * SELL_C);
        const int end = k + chunkLen[chunk] * SELL_C;
        REAL sum = 0;
        for (; k < end; k += SELL_C) sum += values[k] * x[cols[k]];
        const int row = perm[i];
        if (row >= 0) y[row] = sum;
    }
}
